"""Synthetic but realistic 西双版纳 data, deterministic by seed (issue 2, item 6).

``youguan demo`` writes registry, statistics, plan-actual and parcel files under
``YOUGUAN_HOME/demo/`` with a manifest (:func:`youguan.demo.service.generate`), then runs the load
steps of :mod:`youguan.demo.pipeline`. What "true to life" means, figure by figure and with
sources, is in :mod:`youguan.demo.profile`.
"""

"""Plan monitoring and evaluation (规划监测评估, DOMAIN.md §4).

- ``plans/*.yaml`` — plans as data (shipped: ``xsbn-2021-2025``); more in ``$YOUGUAN_HOME/plans``.
- :mod:`.definitions` (the file's model), :mod:`.loader` (validation by line), :mod:`.printed`.
- :mod:`.audit` — the plan's own arithmetic and text-vs-table conflicts.
- :mod:`.rules` (pure: growth, milestones, Open SDG ratio and status), :mod:`.projection`.
- :mod:`.sources` (manual / engine facts / registry counts), :mod:`.actuals`, :mod:`.models`.
- :mod:`.progress` (status of every indicator), :mod:`.proposals` (the next plan's targets).
- :mod:`.service` — what the CLI (:mod:`.cli`), the API and the pages call.
- :mod:`.api` — ``/api/v1/plans…`` (reads open for published plans; reads never write).
- :mod:`.views` (规划监测 and an indicator's page), :mod:`.pages` (their contexts, and the plan
  progress 信息公开 publishes), :mod:`.page_schemas`, :mod:`.page_charts` (ECharts options).
"""

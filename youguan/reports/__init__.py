"""Documents for people: the plan evaluation report as one model (:mod:`.plan_report`) rendered
to Word (:mod:`.docx_render`) and HTML (:mod:`.html_render`), with CJK charts (:mod:`.charts`).
Entry points in :mod:`.service`; ``youguan report plan`` in :mod:`.cli`; the web's downloads are
made once per data version and kept under ``$YOUGUAN_HOME/reports/plan`` (:mod:`.cache`)."""

"""Autogenerate a migration on a package's branch (see README "Migrations").

    python scripts/new_migration.py registry registry_0002 "registry: vehicles"

A branch that does not exist yet is started from the ``core`` base. The script migrates a scratch
SQLite database to every head first, so the diff holds only what the models add.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from youguan.db import alembic_config, make_engine, migrate


def main(branch: str, rev_id: str, message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        migrate(engine)
        cfg = alembic_config(engine)
        script = ScriptDirectory.from_config(cfg)
        labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
        if branch in labels:
            command.revision(
                cfg, message=message, autogenerate=True, rev_id=rev_id, head=f"{branch}@head"
            )
        else:
            command.revision(
                cfg,
                message=message,
                autogenerate=True,
                rev_id=rev_id,
                head="core_0001",  # the base itself: "core@head" resolves onto another branch
                branch_label=branch,
                splice=True,
            )
        engine.dispose()
    for path in Path(script.dir, "versions").glob(f"{rev_id}_*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"astext_type=Text\(\)", "astext_type=sa.Text()", text), "utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(*sys.argv[1:4])

"""youguan (数字邮管): the regulatory data platform of a prefecture postal administration.

Packages follow one shape (STYLE.md habit 1): ``models`` (ORM), ``schemas`` (pydantic),
``service`` (logic, owns the transaction), ``api`` (JSON routes), ``views`` (HTML routes), plus
``rules``/``definitions`` for pure computation. The composition root is
:func:`youguan.context.build_context`; the CLI, the web app and the tests all start there.
"""

__version__ = "0.1.0"

"""Python-Markdown extensions of the documentation site (installed as ``lstm_docs``).

They are listed under ``markdown_extensions`` in ``mkdocs.yml``, so both MkDocs and
Zensical (Material's successor, which runs Markdown extensions but skips MkDocs hooks)
apply them:

* ``lstm_docs.mathml``: TeX marked by ``pymdownx.arithmatex`` becomes MathML at build time;
* ``lstm_docs.quiz``: ``<!-- quiz ... -->`` lines become self-check quiz blocks.
"""

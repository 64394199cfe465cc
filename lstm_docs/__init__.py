"""The documentation site's own Python: Markdown extensions, notebooks and the MkDocs hook.

``mkdocs.yml`` lists the extensions under ``markdown_extensions``, so both MkDocs and Zensical
(Material's successor, which runs Markdown extensions but skips MkDocs hooks) apply them:

* ``lstm_docs.mathml``: TeX marked by ``pymdownx.arithmatex`` becomes MathML at build time;
* ``lstm_docs.quiz``: ``<!-- quiz ... -->`` lines become self-check quiz blocks;
* ``lstm_docs.explorers``: ``<!-- explorer KIND -->`` lines become explorers, filled in by lstm_ref
  and drawn with ``lstm_docs.svg`` (elements as values, text escaped).

``lstm_docs.notebooks`` turns a page into a Jupyter notebook, ``lstm_docs.downloads`` builds
the files of the *Get the code* page, and ``files_hook.py`` (a MkDocs hook) adds both to the
site. The package sits beside ``lstm_ref`` and
``quizzes`` and imports both; neither imports it. It needs the ``docs`` extra.
"""

try:
    import markdown  # noqa: F401  (Python-Markdown: what every module here extends)
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError("lstm_docs builds the documentation site and needs the docs extra: pip install 'lstm-ref[docs]'") from exc

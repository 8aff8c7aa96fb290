"""Extensions of the docs site (mkdocs.yml): its griffe extension and its mkdocs hook."""

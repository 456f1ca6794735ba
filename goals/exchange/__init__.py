"""Export and import of a whole product: a lossless JSON document, plus CSV and Markdown views.

The JSON document names goals by their id in the exporting installation (`ref`) and people
by email, so it can be read by a person, kept in version control and imported anywhere.
Importing checks the whole document against the chain's rules first, reports every problem
by its place in the document (`goals[3].parents`), and creates nothing unless all is well;
then it writes the new product in one transaction.

`export` writes the document, `formats` its CSV and Markdown views, `reader` (with its
section readers, `fields` and `checks`) checks an uploaded one, and `importer` makes the
product from it.
"""

from goals.exchange.document import FORMAT, FORMAT_VERSION
from goals.exchange.export import export_document
from goals.exchange.formats import export_csv, export_markdown
from goals.exchange.importer import (
    IMPORTED_SUFFIX,
    RESTORED_REASON,
    Imported,
    import_document,
    imported_name,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "IMPORTED_SUFFIX",
    "RESTORED_REASON",
    "Imported",
    "export_csv",
    "export_document",
    "export_markdown",
    "import_document",
    "imported_name",
]

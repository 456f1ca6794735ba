"""What the exported document is called and which of the product's texts it carries.

The export writes these and the reader checks them, so both take them from here.
"""

from __future__ import annotations

FORMAT = "goalchain.product"
FORMAT_VERSION = 1
# The Product Vision Board's own boxes, kept on the product.
PRODUCT_TEXTS = ("target_group", "needs", "product_summary")

"""Server-rendered pages, one module per area. URL names are in goals/urls.py."""

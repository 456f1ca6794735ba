"""API shapes, one module per topic like `goals/services/` and `goals/api/`: serializers check
the types of what comes in; services check the rules. Shared bases and fields are in `common`.

Each output field is declared once. Moments declared with `format=None` are handed to the
renderer as stored (UTC, written with `Z`), as the API has always written them whatever the
server's time zone; the other moments are written by DRF in the server's time zone."""

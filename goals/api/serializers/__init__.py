"""API shapes, one module per topic like `goals/services/` and `goals/api/`: serializers check
the types of what comes in; services check the rules. Shared bases and fields are in `common`."""

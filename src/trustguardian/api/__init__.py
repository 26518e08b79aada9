"""The HTTP API under /v1: routers, request and response models, auth, error mapping."""

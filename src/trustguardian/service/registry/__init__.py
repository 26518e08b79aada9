"""The registry: the census of touchpoints, purposes and privacy notices, versioned forever."""

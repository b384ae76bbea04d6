"""The adapters behind the services' interfaces: storage, grouping, charts, photos, clock, files."""

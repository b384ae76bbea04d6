"""Turn domain data into bytes: CSV, JSON, PNG (and later PDF)."""

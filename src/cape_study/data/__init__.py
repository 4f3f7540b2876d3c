"""The case file's data: the codebook (one source of truth), the schema built from it, the
loaders and documents.
"""

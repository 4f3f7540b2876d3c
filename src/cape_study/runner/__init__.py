"""The pipeline runner: the pipeline spec, parameters, execution, cache, provenance, pages,
index, manifest, documents, browser check.
"""

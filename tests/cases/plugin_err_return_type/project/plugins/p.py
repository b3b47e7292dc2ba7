def build_manifest(cfg):
    return {"files": [{"http_path": "a.parquet", "physical_path": "/tmp/a.parquet"}]}

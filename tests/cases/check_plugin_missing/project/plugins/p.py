def build_manifest(cfg):
    return None

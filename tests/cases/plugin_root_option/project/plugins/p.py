raise RuntimeError("decoy: plugin paths must be relative to the project root, not the cwd")

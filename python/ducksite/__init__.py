"""Ducksite's Python package for virtual Parquet plugin authors.

Plugins import it without installing anything: Ducksite runs every Python
plugin with this package on ``sys.path``.

    from ducksite.config import ProjectConfig
    from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest
"""

__all__ = ["config", "virtual_parquet"]

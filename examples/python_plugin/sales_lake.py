"""sales_lake.py - the seed's example virtual Parquet plugin.

It materialises one month of sales as a Parquet file in a scratch folder
(here by copying a file the project already has, where a real plugin would
download from S3 or BigQuery) and publishes it with a row filter and a
per-region template.

    [[file_sources]]
    name = "sales"
    plugin = "plugins/sales_lake.py:build_manifest"
"""
import shutil
from pathlib import Path
from typing import Optional

from ducksite.config import ProjectConfig
from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def fetch_sales_month(cfg: ProjectConfig, parquet_path: Path) -> None:
    # Plugin-specific download or conversion goes here.
    shutil.copy(Path(cfg.root) / "lake" / "sales-2024-01.parquet", parquet_path)


def build_manifest(cfg: ProjectConfig, filter_expr: Optional[str] = None) -> VirtualParquetManifest:
    scratch = Path(cfg.root) / "tmp_sales"
    scratch.mkdir(exist_ok=True)
    parquet_path = scratch / "sales-2024-01.parquet"
    fetch_sales_month(cfg, parquet_path)
    return VirtualParquetManifest(
        files=[VirtualParquetFile(
            http_path="data/sales/sales-2024-01.parquet",
            physical_path=str(parquet_path),
            row_filter="sale_date between '2024-01-01' and '2024-01-31'",
        )],
        template_name="sales_[region]",
        row_filter_template="region = ?",
    )

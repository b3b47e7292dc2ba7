# my_project/plugins/sales_lake.py
import shutil
from pathlib import Path
from ducksite.config import ProjectConfig
from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def fetch_sales_month(parquet_path):
    # Stands for a download: copies the file setup.sql made.
    shutil.copyfile(Path(__file__).resolve().parent.parent / "lake" / "sales-2024-01.parquet",
                    parquet_path)


def build_manifest(cfg: ProjectConfig) -> VirtualParquetManifest:
    scratch = Path(cfg.root) / "tmp_sales"
    scratch.mkdir(exist_ok=True)
    parquet_path = scratch / "sales-2024-01.parquet"
    fetch_sales_month(parquet_path)  # plugin-specific download or conversion
    return VirtualParquetManifest(
        files=[VirtualParquetFile(
            http_path="data/sales/sales-2024-01.parquet",
            physical_path=str(parquet_path),
            row_filter="sale_date between '2024-01-01' and '2024-01-31'",
        )],
        template_name="sales_[region]",
        row_filter_template="region = ?",
    )

NAME = "from_package.parquet"

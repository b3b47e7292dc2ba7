SHARED_CONST = "from_helpers.parquet"

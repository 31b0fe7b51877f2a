"""The analytic lake: Parquet files in Hive-style partitions (dataset/brand=…/month=…), made
visible only through the commit manifest in the operational store, queried through Ibis on DuckDB
(default) or Spark."""

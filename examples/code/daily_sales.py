# A PySpark job that builds the daily sales report: the sample for `spark-sword lint`.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("daily sales report").getOrCreate()
spark.conf.set("spark.sql.shuffle.partitions", "16")

orders = spark.read.option("inferSchema", "true").csv("s3://lake/sales/orders/")
stores = spark.read.parquet("s3://lake/sales/stores/")

enriched = orders.join(stores, orders.store_id == stores.id).cache()
report = enriched.groupBy("region", "day").agg(F.sum("amount").alias("amount"))

for region in ["north", "south", "east", "west"]:
    print(region, report.filter(F.col("region") == region).count())

rows = report.collect()
report.coalesce(1).write.mode("overwrite").parquet("s3://lake/reports/daily_sales/")

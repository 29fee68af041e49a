-- The daily sales report in Spark SQL: the sample for `spark-sword lint`.
SET spark.sql.shuffle.partitions = 16;

SELECT *
FROM sales.orders o, sales.stores s
ORDER BY o.day;

import { describe, expect, it } from 'vitest';
import { promisesIn } from '../../src/analysis/insight.js';
import { codeDetectors } from '../../src/code-analysis/registry.js';
import { analyzeText, findingsOf, notebook, positionOf } from './code-harness.js';

/**
 * Every detector has three cases: code where it must fire (at the exact position of each `needles` occurrence),
 * look-alikes where it must stay quiet (the word in a string or a comment, a same-named method of something else),
 * and a notebook cell where it fires with the right cell index, line and column.
 */
interface DetectorCase {
  type: string;
  positive: { file: string; code: string; needles: Array<[string, number?]> };
  negative: { file: string; code: string };
  /** Code for the notebook's third cell (index 2); `needle` is where the finding must be. */
  inNotebook: { code: string; needle: string; language?: string };
}

const cases: DetectorCase[] = [
  {
    type: 'collect-to-driver',
    positive: {
      file: 'job.py',
      code: 'df = spark.read.parquet("s3://events")\nrows = df.filter(df.x > 1).collect()\nfor r in df.select("a").collect():\n    print(r)\n',
      needles: [['collect()'], ['collect()', 1]],
    },
    negative: {
      file: 'job.py',
      code: [
        '# rows = df.collect()',
        's = "df.collect()"',
        'top = df.limit(10).collect()',
        'top_days = df.groupBy("day").agg(F.sum("x")).orderBy("day").limit(10).collect()',
        'total = df.agg(F.sum("x")).collect()[0][0]',
        'names = F.collect_list("name")',
        'doc = """call df.collect() carefully"""',
      ].join('\n'),
    },
    inNotebook: { code: 'import pyspark.sql.functions as F\n\nall_rows = spark.table("sales").collect()', needle: 'collect()' },
  },
  {
    type: 'collect-to-driver',
    positive: { file: 'Job.scala', code: 'object Job {\n  val rows = spark.table("t").collect()\n  val list = df.collectAsList\n}\n', needles: [['collect()'], ['collectAsList']] },
    negative: {
      file: 'Job.scala',
      code: 'object Job {\n  // df.collect()\n  val s = """df.collect()"""\n  val evens = xs.collect { case x if x % 2 == 0 => x }\n  val few = df.limit(5).collect()\n}\n',
    },
    inNotebook: { code: 'val rows = df.collect()', needle: 'collect()', language: 'scala' },
  },
  {
    type: 'to-pandas-unbounded',
    positive: { file: 'job.py', code: 'pdf = spark.table("events").toPandas()\n', needles: [['toPandas']] },
    negative: { file: 'job.py', code: 'sample = df.limit(1000).toPandas()\n# df.toPandas()\nmsg = "call toPandas() later"\nsmall = df.groupBy().count().toPandas()\n' },
    inNotebook: { code: 'x = 1\npdf = df.toPandas()', needle: 'toPandas' },
  },
  {
    type: 'action-in-loop',
    positive: {
      file: 'job.py',
      code: 'for c in countries:\n    n = df.where(df.country == c).count()\n    df.write.mode("append").parquet(f"out/{c}")\nsizes = [t.count() for t in tables]\nwhile df.count() > 0:\n    pass\n',
      needles: [['count()'], ['parquet'], ['count()', 1], ['count()', 2]],
    },
    negative: {
      file: 'job.py',
      code: [
        'for row in df.collect():',
        '    total += row.amount',
        '    k = items.count(row.key)',
        '    # n = df.count()',
        '    label = "count()"',
        'n = df.count()',
      ].join('\n'),
    },
    inNotebook: { code: 'for day in days:\n    spark.table(day).show()', needle: 'show()' },
  },
  {
    type: 'action-in-loop',
    positive: { file: 'Job.scala', code: 'object Job {\n  for (d <- days) {\n    println(df.filter(col("d") === d).count)\n  }\n}\n', needles: [['count']] },
    negative: { file: 'Job.scala', code: 'object Job {\n  val n = df.count()\n  for (d <- days) { println(d.length) }\n}\n' },
    inNotebook: { code: 'for (t <- tables) {\n  spark.table(t).count()\n}', needle: 'count()', language: 'scala' },
  },
  {
    type: 'cartesian-join',
    positive: {
      file: 'job.py',
      code: 'pairs = a.crossJoin(b)\nall_pairs = orders.join(customers)\nx = a.join(b, how="cross")\n',
      needles: [['crossJoin'], ['join('], ['join(', 1]],
    },
    negative: {
      file: 'job.py',
      code: [
        'line = ", ".join(names)',
        'p = os.path.join(base, "x")',
        'j = orders.join(customers, "customer_id")',
        'k = orders.join(customers, on=["id"], how="left")',
        '# orders.crossJoin(customers)',
        'sql_text = "SELECT * FROM a CROSS JOIN b"',
        'worker.join()',
      ].join('\n'),
    },
    inNotebook: { code: '%%sql\nSELECT o.id, c.name\nFROM orders o CROSS JOIN customers c', needle: 'customers' },
  },
  {
    type: 'cartesian-join',
    positive: {
      file: 'report.sql',
      code: 'SELECT a.x FROM a JOIN b;\nSELECT a.x FROM a, b;\nSELECT * FROM a CROSS JOIN b LIMIT 5;\n',
      needles: [['b;'], ['b;', 1], ['b LIMIT']],
    },
    negative: {
      file: 'report.sql',
      code: "-- SELECT * FROM a CROSS JOIN b\nSELECT a.x, 'CROSS JOIN' AS label FROM a JOIN b ON a.id = b.id;\nSELECT a.x FROM a, b WHERE a.id = b.id;\nSELECT a.x FROM a JOIN b USING (id);\n",
    },
    inNotebook: { code: 'val pairs = left.crossJoin(right)', needle: 'crossJoin', language: 'scala' },
  },
  {
    type: 'rdd-group-by-key',
    positive: { file: 'job.py', code: 'counts = pairs.groupByKey().mapValues(len)\n', needles: [['groupByKey']] },
    negative: { file: 'job.py', code: 'counts = pairs.reduceByKey(add)\n# pairs.groupByKey()\ng = df.groupBy("key").count()\nhint = "avoid groupByKey()"\n' },
    inNotebook: { code: 'rdd = sc.parallelize(data)\ngrouped = rdd.groupByKey()', needle: 'groupByKey' },
  },
  {
    type: 'rdd-group-by-key',
    positive: { file: 'Job.scala', code: 'object Job {\n  val g = pairs.groupByKey().mapValues(_.sum)\n}\n', needles: [['groupByKey']] },
    negative: { file: 'Job.scala', code: 'object Job {\n  val byUser = events.groupByKey(_.userId)\n  val byKey = ds.groupByKey(keyOf)\n}\n' },
    inNotebook: { code: 'val g = pairs.groupByKey(8)', needle: 'groupByKey', language: 'scala' },
  },
  {
    type: 'python-udf',
    positive: {
      file: 'job.py',
      code: '@udf("string")\ndef clean(s):\n    return s.strip().lower()\n\nupper_udf = F.udf(lambda s: s.upper(), StringType())\n\n@F.udf(returnType=DoubleType())\ndef score(x):\n    return model.predict(x)\n',
      needles: [['udf("string")'], ['udf(lambda'], ['udf(returnType']],
    },
    negative: {
      file: 'job.py',
      code: [
        '@pandas_udf("double")',
        'def score(s: pd.Series) -> pd.Series:',
        '    return s * 2',
        '# @udf("string")',
        'text = "udf(lambda s: s.lower())"',
        'df2 = df.withColumn("l", F.lower("name"))',
        'schema_udf = udf(some_imported_function)',
      ].join('\n'),
    },
    inNotebook: { code: 'from pyspark.sql.functions import udf\nlength_udf = udf(lambda s: len(s), "int")', needle: 'udf(lambda' },
  },
  {
    type: 'python-udf',
    positive: { file: 'Job.scala', code: 'object Job {\n  val lowerUdf = udf((s: String) => s.toLowerCase)\n}\n', needles: [['udf(']] },
    negative: { file: 'Job.scala', code: 'object Job {\n  val scoreUdf = udf((x: Double) => model.score(x))\n  // udf((s: String) => s.trim)\n}\n' },
    inNotebook: { code: 'val trimUdf = udf((s: String) => s.trim)', needle: 'udf(', language: 'scala' },
  },
  {
    type: 'single-partition-write',
    positive: {
      file: 'job.py',
      code: 'df.coalesce(1).write.mode("overwrite").csv("out")\none = df.repartition(1)\none.write.parquet("p")\n',
      needles: [['coalesce'], ['repartition']],
    },
    negative: {
      file: 'job.py',
      code: [
        'df.repartition(200).write.parquet("p")',
        'x = F.coalesce(F.col("a"), F.lit(1))',
        '# df.coalesce(1).write.csv("out")',
        'small = df.coalesce(1)',
        'note = "coalesce(1) then write"',
      ].join('\n'),
    },
    inNotebook: { code: 'report.repartition(1) \\\n    .write.csv("/tmp/report")', needle: 'repartition' },
  },
  {
    type: 'with-column-in-loop',
    positive: { file: 'job.py', code: 'for c in cols:\n    df = df.withColumn(c, F.col(c).cast("int"))\n', needles: [['withColumn']] },
    negative: { file: 'job.py', code: 'df = df.withColumn("a", F.lit(1))\nfor c in cols:\n    # df = df.withColumn(c, x)\n    print("withColumn(c)")\n    df = df.withColumns({c: F.lit(0)})\n' },
    inNotebook: { code: 'for (c <- cols) {\n  out = out.withColumnRenamed(c, c.toLowerCase)\n}', needle: 'withColumnRenamed', language: 'scala' },
  },
  {
    type: 'unused-cache',
    positive: {
      file: 'job.py',
      code:
        'big = spark.table("events").filter("x > 1").cache()\nbig.write.parquet("out")\nlookup = spark.table("dim")\nlookup.persist()\n' +
        'once = spark.table("dim").cache()\nderived = once.select("a")\nderived.write.parquet("d")\n',
      needles: [['cache()'], ['persist()'], ['cache()', 1]],
    },
    negative: {
      file: 'job.py',
      code: [
        'hot = spark.table("events").cache()',
        'hot.count()',
        'hot.write.parquet("out")',
        'looped = df.cache()',
        'for k in keys:',
        '    looped.where(looped.k == k).show()',
        'dim = spark.table("customers").cache()',
        'enriched = orders.join(dim, "customer_id")',
        'enriched.count()',
        'enriched.write.parquet("enriched")',
        '# cold = df.cache()',
        '@functools.cache',
        'def f(x):',
        '    return x',
      ].join('\n'),
    },
    inNotebook: { code: 'staged = raw.select("a", "b").cache()\nstaged.count()', needle: 'cache()' },
  },
  {
    type: 'order-by-without-limit',
    positive: { file: 'report.sql', code: 'SELECT a, sum(b) AS total\nFROM t GROUP BY a\nORDER BY total DESC;\n', needles: [['ORDER BY']] },
    negative: {
      file: 'report.sql',
      code: "-- ORDER BY a\nSELECT a FROM t ORDER BY a LIMIT 10;\nSELECT 'ORDER BY x' AS s FROM t;\nCREATE VIEW v AS SELECT a FROM t ORDER BY a;\nSELECT a FROM (SELECT a FROM t ORDER BY a) sub LIMIT 3;\n",
    },
    inNotebook: { code: 'top = spark.sql("""\n    SELECT user, count(*) AS n FROM clicks\n    GROUP BY user ORDER BY n DESC\n""")', needle: 'ORDER BY' },
  },
  {
    type: 'select-star',
    positive: { file: 'report.sql', code: 'INSERT OVERWRITE TABLE out SELECT * FROM staging;\nSELECT s.* FROM staging s;\n', needles: [['*'], ['s.*']] },
    negative: {
      file: 'report.sql',
      code: "SELECT count(*) FROM t;\nSELECT * FROM t LIMIT 10;\n-- SELECT * FROM t\nSELECT 'SELECT *' AS s FROM t;\nSELECT a FROM (SELECT * FROM t) sub;\nSELECT a FROM t WHERE EXISTS (SELECT * FROM u WHERE u.id = t.id);\n",
    },
    inNotebook: { code: 'wide = df.select("*")', needle: 'select(' },
  },
  {
    type: 'shuffle-partitions-set',
    positive: {
      file: 'job.py',
      code: 'spark.conf.set("spark.sql.shuffle.partitions", 2000)\nspark = SparkSession.builder.config("spark.sql.shuffle.partitions", "64").getOrCreate()\n',
      needles: [['set('], ['config(']],
    },
    negative: {
      file: 'job.py',
      code: [
        'n = spark.conf.get("spark.sql.shuffle.partitions")',
        '# spark.conf.set("spark.sql.shuffle.partitions", 10)',
        'spark.conf.set("spark.sql.shuffle.partitions", "auto")',
        'spark.conf.set("spark.sql.adaptive.enabled", "true")',
        'text = \'spark.conf.set("spark.sql.shuffle.partitions", 5)\'',
      ].join('\n'),
    },
    inNotebook: { code: '%sql\nSET spark.sql.shuffle.partitions = 400', needle: 'spark.sql' },
  },
  {
    type: 'rdd-conversion',
    positive: { file: 'job.py', code: 'pairs = df.rdd.map(lambda r: (r.k, 1))\n', needles: [['rdd']] },
    negative: {
      file: 'job.py',
      code: 'n = df.rdd.getNumPartitions()\nrdd = sc.parallelize([1, 2])\ndoubled = rdd.map(lambda x: x * 2)\n# df.rdd.map(f)\nlabel = "df.rdd"\n',
    },
    inNotebook: { code: 'val rows = df.rdd.map(_.getString(0))', needle: 'rdd', language: 'scala' },
  },
  {
    type: 'csv-infer-schema',
    positive: {
      file: 'job.py',
      code: 'a = spark.read.option("header", "true").option("inferSchema", "true").csv("a.csv")\nb = spark.read.csv("b.csv", header=True, inferSchema=True)\n',
      needles: [['option("inferSchema'], ['csv("b.csv']],
    },
    negative: {
      file: 'job.py',
      code: 'a = spark.read.schema(schema).csv("a.csv")\nb = spark.read.option("inferSchema", "false").csv("b.csv")\n# .option("inferSchema", "true")\ns = \'option("inferSchema", "true")\'\n',
    },
    inNotebook: { code: 'val df = spark.read.option("inferSchema", true).csv(path)', needle: 'option("inferSchema', language: 'scala' },
  },
];

describe('code detectors', () => {
  it('there are at least 12 detectors, each with cases below', () => {
    expect(codeDetectors.length).toBeGreaterThanOrEqual(12);
    const tested = new Set(cases.map((each) => each.type));
    expect(codeDetectors.filter((detector) => !tested.has(detector.type) && detector.type !== 'show-in-script')).toEqual([]);
  });

  describe.each(cases)('$type ($positive.file)', ({ type, positive, negative, inNotebook }) => {
    it('fires at the exact position of each case', async () => {
      const found = await findingsOf(type, positive.file, positive.code);
      const expected = positive.needles.map(([needle, nth]) => positionOf(positive.code, needle, nth ?? 0));
      expect(found.map((insight) => ({ line: insight.location.line, column: insight.location.column }))).toEqual(expected);
      for (const insight of found) {
        expect(insight.location.cellIndex).toBe(0);
        expect(insight.location.fileLine).toBe(insight.location.line);
        expect(insight.evidence).toMatchObject({ cellIndex: 0, line: insight.location.line, column: insight.location.column });
        expect(insight.location.excerpt).toBe(positive.code.split('\n')[insight.location.line - 1]!.trim());
        expect(insight.impact).toBe(0);
        expect(insight.stageId).toBeNull();
      }
    });

    it('stays quiet on look-alikes (strings, comments, other methods of the same name)', async () => {
      expect(await findingsOf(type, negative.file, negative.code)).toEqual([]);
    });

    it('fires in a notebook cell with its cell index, line and column', async () => {
      const language = inNotebook.language ?? 'python';
      const first = language === 'scala' ? 'val unrelated = 1' : 'unrelated = 1';
      const found = await findingsOf(type, 'analysis.ipynb', notebook([first, inNotebook.code], language));
      const expected = positionOf(inNotebook.code, inNotebook.needle);
      expect(found.map((insight) => insight.location)).toEqual([
        expect.objectContaining({ cellIndex: 2, ...expected, fileLine: null, fileColumn: null }),
      ]);
    });
  });

  describe('show-in-script', () => {
    it('fires in a script and not on plotting libraries', async () => {
      const code = 'df.show()\nplt.show()\nfig.show()\n# df.show()\n';
      const found = await findingsOf('show-in-script', 'job.py', code);
      expect(found.map((insight) => insight.location)).toEqual([expect.objectContaining({ line: 1, column: 4 })]);
    });

    it('stays quiet in notebook cells, where show() is how one looks at data', async () => {
      expect(await findingsOf('show-in-script', 'explore.ipynb', notebook(['df.show()']))).toEqual([]);
      expect(await findingsOf('show-in-script', 'explore.py', '# Databricks notebook source\ndf.show()\n')).toEqual([]);
    });
  });

  it('never promises a speed-up, and links Spark docs', async () => {
    const code = cases.map((each) => each.positive).filter((each) => each.file === 'job.py').map((each) => each.code).join('\n');
    const sql = cases.map((each) => each.positive).filter((each) => each.file === 'report.sql').map((each) => each.code).join('\n');
    const scala = cases.map((each) => each.positive).filter((each) => each.file === 'Job.scala').map((each) => each.code).join('\n');
    const insights = [
      ...(await analyzeText('job.py', `${code}\ndf.show()\n`)).insights,
      ...(await analyzeText('report.sql', sql)).insights,
      ...(await analyzeText('Job.scala', scala.replace(/}\nobject Job {\n/g, ''))).insights,
    ];
    expect(new Set(insights.map((insight) => insight.type))).toEqual(new Set(codeDetectors.map((detector) => detector.type)));
    for (const insight of insights) {
      expect(promisesIn(insight)).toEqual([]);
      expect(insight.sparkDocsRef).toMatch(/^https:\/\/spark\.apache\.org\/docs\//);
      expect(insight.suggestion.length).toBeGreaterThan(10);
      expect(insight.tradeoffs.length).toBeGreaterThan(10);
    }
  });
});

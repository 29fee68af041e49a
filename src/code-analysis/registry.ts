import type { CodeDetector } from './code-detector.js';
import { actionInLoopDetector } from './detectors/action-in-loop.js';
import { cartesianJoinDetector } from './detectors/cartesian-join.js';
import { collectToDriverDetector } from './detectors/collect-to-driver.js';
import { csvInferSchemaDetector } from './detectors/csv-infer-schema.js';
import { orderByWithoutLimitDetector } from './detectors/order-by-without-limit.js';
import { pythonUdfDetector } from './detectors/python-udf.js';
import { rddConversionDetector } from './detectors/rdd-conversion.js';
import { rddGroupByKeyDetector } from './detectors/rdd-group-by-key.js';
import { selectStarDetector } from './detectors/select-star.js';
import { showInScriptDetector } from './detectors/show-in-script.js';
import { shufflePartitionsSetDetector } from './detectors/shuffle-partitions-set.js';
import { singlePartitionWriteDetector } from './detectors/single-partition-write.js';
import { toPandasUnboundedDetector } from './detectors/to-pandas-unbounded.js';
import { unusedCacheDetector } from './detectors/unused-cache.js';
import { withColumnInLoopDetector } from './detectors/with-column-in-loop.js';

/** Every code detector. Adding one: write its test, write it, list it here. */
export const codeDetectors: readonly CodeDetector[] = [
  collectToDriverDetector,
  toPandasUnboundedDetector,
  actionInLoopDetector,
  cartesianJoinDetector,
  rddGroupByKeyDetector,
  pythonUdfDetector,
  singlePartitionWriteDetector,
  withColumnInLoopDetector,
  unusedCacheDetector,
  orderByWithoutLimitDetector,
  selectStarDetector,
  rddConversionDetector,
  csvInferSchemaDetector,
  shufflePartitionsSetDetector,
  showInScriptDetector,
];

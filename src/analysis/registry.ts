import type { Detector } from './detector.js';
import { broadcastJoinDetector } from './detectors/broadcast-join.js';
import { configHygieneDetector } from './detectors/config-hygiene.js';
import { dataSkewDetector } from './detectors/data-skew.js';
import { driverIdleDetector } from './detectors/driver-idle.js';
import { durationSkewDetector } from './detectors/duration-skew.js';
import { failuresDetector } from './detectors/failures.js';
import { gcPressureDetector } from './detectors/gc-pressure.js';
import { partitionCountDetector } from './detectors/partition-count.js';
import { shuffleBoundaryDetector } from './detectors/shuffle-boundary.js';
import { spillDetector } from './detectors/spill.js';
import { idleExecutorsDetector } from './detectors/idle-executors.js';
import { launchDelayDetector } from './detectors/launch-delay.js';
import { smallFilesDetector } from './detectors/small-files.js';
import { stragglersDetector } from './detectors/stragglers.js';

/** Every detector, run in this order after each ingest. Adding one: write its test, write it, list it here. */
export const detectors: readonly Detector[] = [dataSkewDetector, failuresDetector, spillDetector, shuffleBoundaryDetector, idleExecutorsDetector, configHygieneDetector, gcPressureDetector, broadcastJoinDetector, partitionCountDetector, smallFilesDetector, stragglersDetector, durationSkewDetector, launchDelayDetector, driverIdleDetector];

/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query ApplicationList($first: Int, $after: String, $status: ApplicationStatus) {\n  applications(first: $first, after: $after, status: $status) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      endCursor\n    }\n    nodes {\n      id\n      appId\n      attemptId\n      name\n      sparkVersion\n      sparkUser\n      startTime\n      endTime\n      duration\n      completed\n      stats {\n        totalJobs\n        totalStages\n        totalTasks\n        failedTasks\n      }\n    }\n  }\n}\n\nquery ApplicationById($id: ID!) {\n  application(id: $id) {\n    id\n    appId\n    attemptId\n    name\n    completed\n    duration\n    eventsRead\n    eventsSkipped\n    stats {\n      totalJobs\n      totalStages\n      totalTasks\n      failedTasks\n    }\n  }\n}\n\nmutation DeleteApplication($id: ID!) {\n  deleteApplication(id: $id)\n}\n\nmutation UploadEventLog($file: Upload!) {\n  uploadEventLog(file: $file) {\n    application {\n      id\n      appId\n      attemptId\n      name\n      completed\n      stats {\n        totalJobs\n        totalStages\n        totalTasks\n        failedTasks\n      }\n    }\n    applications {\n      id\n    }\n    warnings {\n      line\n      message\n    }\n    eventsRead\n    eventsSkipped\n    skippedEventTypes {\n      eventType\n      count\n    }\n  }\n}": typeof types.ApplicationListDocument,
};
const documents: Documents = {
    "query ApplicationList($first: Int, $after: String, $status: ApplicationStatus) {\n  applications(first: $first, after: $after, status: $status) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      endCursor\n    }\n    nodes {\n      id\n      appId\n      attemptId\n      name\n      sparkVersion\n      sparkUser\n      startTime\n      endTime\n      duration\n      completed\n      stats {\n        totalJobs\n        totalStages\n        totalTasks\n        failedTasks\n      }\n    }\n  }\n}\n\nquery ApplicationById($id: ID!) {\n  application(id: $id) {\n    id\n    appId\n    attemptId\n    name\n    completed\n    duration\n    eventsRead\n    eventsSkipped\n    stats {\n      totalJobs\n      totalStages\n      totalTasks\n      failedTasks\n    }\n  }\n}\n\nmutation DeleteApplication($id: ID!) {\n  deleteApplication(id: $id)\n}\n\nmutation UploadEventLog($file: Upload!) {\n  uploadEventLog(file: $file) {\n    application {\n      id\n      appId\n      attemptId\n      name\n      completed\n      stats {\n        totalJobs\n        totalStages\n        totalTasks\n        failedTasks\n      }\n    }\n    applications {\n      id\n    }\n    warnings {\n      line\n      message\n    }\n    eventsRead\n    eventsSkipped\n    skippedEventTypes {\n      eventType\n      count\n    }\n  }\n}": types.ApplicationListDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ApplicationList($first: Int, $after: String, $status: ApplicationStatus) {\n  applications(first: $first, after: $after, status: $status) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      endCursor\n    }\n    nodes {\n      id\n      appId\n      attemptId\n      name\n      sparkVersion\n      sparkUser\n      startTime\n      endTime\n      duration\n      completed\n      stats {\n        totalJobs\n        totalStages\n        totalTasks\n        failedTasks\n      }\n    }\n  }\n}\n\nquery ApplicationById($id: ID!) {\n  application(id: $id) {\n    id\n    appId\n    attemptId\n    name\n    completed\n    duration\n    eventsRead\n    eventsSkipped\n    stats {\n      totalJobs\n      totalStages\n      totalTasks\n      failedTasks\n    }\n  }\n}\n\nmutation DeleteApplication($id: ID!) {\n  deleteApplication(id: $id)\n}\n\nmutation UploadEventLog($file: Upload!) {\n  uploadEventLog(file: $file) {\n    application {\n      id\n      appId\n      attemptId\n      name\n      completed\n      stats {\n        totalJobs\n        totalStages\n        totalTasks\n        failedTasks\n      }\n    }\n    applications {\n      id\n    }\n    warnings {\n      line\n      message\n    }\n    eventsRead\n    eventsSkipped\n    skippedEventTypes {\n      eventType\n      count\n    }\n  }\n}"): (typeof documents)["query ApplicationList($first: Int, $after: String, $status: ApplicationStatus) {\n  applications(first: $first, after: $after, status: $status) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      endCursor\n    }\n    nodes {\n      id\n      appId\n      attemptId\n      name\n      sparkVersion\n      sparkUser\n      startTime\n      endTime\n      duration\n      completed\n      stats {\n        totalJobs\n        totalStages\n        totalTasks\n        failedTasks\n      }\n    }\n  }\n}\n\nquery ApplicationById($id: ID!) {\n  application(id: $id) {\n    id\n    appId\n    attemptId\n    name\n    completed\n    duration\n    eventsRead\n    eventsSkipped\n    stats {\n      totalJobs\n      totalStages\n      totalTasks\n      failedTasks\n    }\n  }\n}\n\nmutation DeleteApplication($id: ID!) {\n  deleteApplication(id: $id)\n}\n\nmutation UploadEventLog($file: Upload!) {\n  uploadEventLog(file: $file) {\n    application {\n      id\n      appId\n      attemptId\n      name\n      completed\n      stats {\n        totalJobs\n        totalStages\n        totalTasks\n        failedTasks\n      }\n    }\n    applications {\n      id\n    }\n    warnings {\n      line\n      message\n    }\n    eventsRead\n    eventsSkipped\n    skippedEventTypes {\n      eventType\n      count\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { ApiContext } from '../api/context.js';
import { hasRole, type Role } from '../auth/roles.js';
import { roleRefusal } from './request-access.js';

/**
 * Root fields anyone may use in every mode: who am I, Google sign-in, and the learner side (scenarios,
 * progress, the shape playground, catalogues of insight kinds), which never shows uploaded data.
 */
const PUBLIC_ROOT_FIELDS = new Set([
  '__typename',
  '__schema',
  '__type',
  'me',
  'access',
  'signInWithGoogle',
  'signOut',
  'scenarios',
  'scenario',
  'myProgress',
  'runScenario',
  'simulateShape',
  'insightTypes',
  'codeInsightTypes',
]);

/** Mutations and the least role each needs; ownership is checked again by the resolver. */
const MUTATION_ROLES: ReadonlyMap<string, Role> = new Map<string, Role>([
  ['uploadEventLog', 'uploader'],
  ['deleteApplication', 'uploader'],
  ['analyzeNotebook', 'viewer'],
  ['createApiToken', 'admin'],
  ['revokeApiToken', 'admin'],
]);

/** Queries that need more than viewer. */
const QUERY_ROLES: ReadonlyMap<string, Role> = new Map<string, Role>([['apiTokens', 'admin']]);

/** The role a root field needs: none for public ones; viewer (or a listed role) for queries; a listed role, else admin, for mutations. */
export function requiredRole(operation: 'query' | 'mutation' | 'subscription', field: string): Role | null {
  if (PUBLIC_ROOT_FIELDS.has(field)) return null;
  if (operation === 'mutation') return MUTATION_ROLES.get(field) ?? 'admin';
  return QUERY_ROLES.get(field) ?? 'viewer';
}

/** Root field names an operation selects, through fragments and inline fragments. */
export function rootFieldNames(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const names = new Set<string>();
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return [...names];
}

/**
 * Apollo plugin that refuses, before any resolver runs, an operation selecting a root field the caller's
 * role does not allow. Every root field is checked, so one aliased field cannot ride along with public ones.
 */
export function accessPolicyPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          if (!operation) return;
          for (const field of rootFieldNames(document, operation)) {
            const needed = requiredRole(operation.operation, field);
            if (needed && !hasRole(contextValue.principal.role, needed)) {
              throw roleRefusal(contextValue.principal, needed, `${operation.operation === 'mutation' ? 'Mutation' : 'Query'}.${field}`).toClientError();
            }
          }
        },
      };
    },
  };
}

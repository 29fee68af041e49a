import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { googleRole } from '../../src/auth/principal.js';
import { hasRole } from '../../src/auth/roles.js';
import { requiredRole, rootFieldNames } from '../../src/server/access-policy.js';
import { queryShapeRule } from '../../src/server/query-shape.js';

const schema = buildSchema(readFileSync('schema.graphql', 'utf8'));
const problems = (text: string, depth = 3, fields = 50): string[] =>
  validate(schema, parse(text), [...specifiedRules, queryShapeRule(depth, fields)]).map((error) => error.message);

describe('query shape rule', () => {
  it('counts depth as graphql-depth-limit does, introspection aside', () => {
    expect(problems('{ applications { nodes { stages { stageId } } } }')).toEqual([]);
    expect(problems('{ applications { nodes { stages { attempts { stageId } } } } }')).toEqual([
      "'The operation' exceeds maximum operation depth of 3 (it nests 4 deep)",
    ]);
    expect(problems('query Deep { __schema { types { fields { type { ofType { name } } } } } }')).toEqual([]);
  });

  it('counts every alias and every fragment spread, once each fragment', () => {
    const aliases = Array.from({ length: 60 }, (_u, i) => `a${i}: __typename`).join(' ');
    // Introspection fields add no depth, but every alias of one is a field.
    expect(problems(`{ ${aliases} }`)[0]).toMatch(/selects 60 fields/);
    const fields = Array.from({ length: 60 }, (_u, i) => `a${i}: id`).join(' ');
    expect(problems(`{ applications { nodes { ${fields} } } }`)[0]).toMatch(/selects 62 fields .* the limit is 50/);
    expect(problems('{ applications { nodes { ...F ...F } } } fragment F on Application { id name }')).toEqual([]);
  });
});

describe('access policy', () => {
  it('needs viewer for any query but the learner side, and admin for an unlisted mutation', () => {
    expect(requiredRole('query', 'applications')).toBe('viewer');
    expect(requiredRole('query', 'someFutureQuery')).toBe('viewer');
    expect(requiredRole('query', 'scenarios')).toBeNull();
    expect(requiredRole('query', 'apiTokens')).toBe('admin');
    expect(requiredRole('mutation', 'uploadEventLog')).toBe('uploader');
    expect(requiredRole('mutation', 'someFutureMutation')).toBe('admin');
    expect(requiredRole('mutation', 'runScenario')).toBeNull();
  });

  it('sees root fields through aliases, fragments and inline fragments, a cycle included', () => {
    const document = parse('query { x: me { id } ... on Query { a: applications { totalCount } } ...F } fragment F on Query { scenarios { id } ...F }');
    const operation = document.definitions[0]!;
    expect(rootFieldNames(document, operation as never).sort()).toEqual(['applications', 'me', 'scenarios']);
  });

  it('orders roles and reads Google roles from verified emails, case-insensitively', () => {
    expect(hasRole('admin', 'uploader')).toBe(true);
    expect(hasRole('viewer', 'uploader')).toBe(false);
    expect(hasRole(null, 'viewer')).toBe(false);
    const config = { ADMIN_EMAILS: ['boss@example.com'], GOOGLE_ALLOWED_DOMAINS: ['example.com'], GOOGLE_DOMAIN_ROLE: 'uploader' as const, AUTH_MODE: 'google' as const };
    expect(googleRole('Boss@Example.com', config)).toBe('admin');
    expect(googleRole('dev@example.com', config)).toBe('uploader');
    expect(googleRole('dev@example.com.evil.org', config)).toBeNull();
    expect(googleRole('dev@sub.example.com', config)).toBeNull();
  });
});

import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

/** Deepest selection a query may nest (Application → stages → tasks → metrics needs 5). */
export const MAX_QUERY_DEPTH = 10;
/**
 * Most fields an operation may select once its fragments are expanded (aliases each count). Checked before
 * anything walks the query field by field, so a fragment that spreads another twice, thirty times over,
 * is refused in microseconds instead of being expanded to 2^30 fields.
 */
const MAX_EXPANDED_FIELDS = 5_000;

/** Most tokens a query document may hold: graphql stops parsing past it, so a megabyte of `a a a …` costs nothing. */
export const MAX_QUERY_TOKENS = 20_000;

interface Shape {
  /** Most fields above any field (0 for a selection of leaves). */
  height: number;
  /** Fields selected, fragments expanded. */
  fields: number;
}

/**
 * One validation rule for the size of an operation: its depth (as graphql-depth-limit measures it:
 * introspection fields do not count) and how many fields it selects with fragments expanded. Fragments are
 * measured once each (memoised) and a fragment that spreads itself is skipped here: NoFragmentCyclesRule
 * reports it as a validation error, where a recursive depth limiter would overflow the stack.
 */
export function queryShapeRule(maxDepth = MAX_QUERY_DEPTH, maxFields = MAX_EXPANDED_FIELDS): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const measured = new Map<string, Shape>();
    const measuring = new Set<string>();

    const measure = (selectionSet: SelectionSetNode): Shape => {
      let height = 0;
      let fields = 0;
      for (const selection of selectionSet.selections) {
        let inner: Shape;
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) {
            fields += 1;
            continue;
          }
          inner = selection.selectionSet ? measure(selection.selectionSet) : { height: -1, fields: 0 };
          height = Math.max(height, inner.height + 1);
          fields += 1 + inner.fields;
          continue;
        }
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          inner = measure(selection.selectionSet);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // Unknown fragments and cycles are other rules' errors; here they add nothing.
          if (!fragment || measuring.has(name)) continue;
          let known = measured.get(name);
          if (!known) {
            measuring.add(name);
            known = measure(fragment.selectionSet);
            measuring.delete(name);
            measured.set(name, known);
          }
          inner = known;
        }
        height = Math.max(height, inner.height);
        fields += inner.fields;
        // Stop adding once far past the limit: the numbers only need to say "too many".
        if (fields > maxFields * 1000) break;
      }
      return { height, fields };
    };

    return {
      OperationDefinition(operation) {
        const name = operation.name?.value ?? 'The operation';
        const shape = measure(operation.selectionSet);
        if (shape.height > maxDepth) {
          context.reportError(
            new GraphQLError(`'${name}' exceeds maximum operation depth of ${maxDepth} (it nests ${shape.height} deep)`, {
              nodes: [operation],
            }),
          );
        }
        if (shape.fields > maxFields) {
          context.reportError(
            new GraphQLError(
              `'${name}' selects ${shape.fields > maxFields * 1000 ? `more than ${maxFields * 1000}` : shape.fields} fields ` +
                `with aliases and fragments expanded; the limit is ${maxFields}`,
              { nodes: [operation] },
            ),
          );
        }
      },
    };
  };
}

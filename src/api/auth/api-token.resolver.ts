import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Role } from '../../auth/roles.js';
import type { ApiContext } from '../context.js';
import { RoleEnum } from './access.type.js';
import { ApiToken, CreatedApiToken } from './api-token.type.js';

/** Admins manage API tokens while the server runs (the CLI needs the progress file, which the server holds). */
@Resolver()
export class ApiTokenResolver {
  @Query(() => [ApiToken], { description: 'Every API token, live and revoked, oldest first (admin only).' })
  async apiTokens(@Ctx() { tokens }: ApiContext): Promise<ApiToken[]> {
    return tokens.list();
  }

  @Mutation(() => CreatedApiToken, { description: 'Creates an API token (admin only); its secret is in the answer and nowhere else.' })
  async createApiToken(
    @Arg('name', () => String, { description: '1-64 letters, digits, ".", "_", "@" or "-"; unique among live tokens.' }) name: string,
    @Arg('role', () => RoleEnum) role: Role,
    @Ctx() { tokens }: ApiContext,
  ): Promise<CreatedApiToken> {
    return tokens.create(name, role);
  }

  @Mutation(() => ApiToken, { description: 'Revokes a live API token by name or id (admin only); it is refused from the next request on.' })
  async revokeApiToken(@Arg('nameOrId', () => String) nameOrId: string, @Ctx() { tokens }: ApiContext): Promise<ApiToken> {
    return tokens.revoke(nameOrId);
  }
}

import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { applicationCosts, fleetReport, type FleetApplication } from '../../fleet/fleet-service.js';
import type { Prices } from '../../fleet/cost.js';
import type { ApplicationFilter } from '../../store/cost-store.js';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { ApplicationCost, Fleet } from './fleet.type.js';
import { FleetArgs, PriceArgs } from './fleet.input.js';

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const toType = (app: FleetApplication, prices: Prices): ApplicationCost => ({ ...app, startTime: date(app.startTime), prices });

/** Cost of one application. */
@Resolver(() => Application)
export class ApplicationCostResolver {
  @FieldResolver(() => ApplicationCost, {
    description: 'Cores and memory held, used and wasted (idle or failed), and their price when one is configured or given.',
  })
  async cost(@Root() application: Application, @Args(() => PriceArgs) args: PriceArgs, @Ctx() { db, config }: ApiContext): Promise<ApplicationCost> {
    const { prices, applications } = await applicationCosts(db, config, { appKeys: [application.id] }, {
      perCoreHour: args.pricePerCoreHour,
      perGbHour: args.pricePerGbHour,
    });
    return toType(applications[0]!, prices);
  }
}

/** Questions over every stored application. */
@Resolver()
export class FleetResolver {
  @Query(() => Fleet, {
    description: 'Totals, the most wasteful applications, each application\'s runs as a series of duration and cost, and insights that recur across runs.',
  })
  async fleet(@Args(() => FleetArgs) args: FleetArgs, @Ctx() { db, config }: ApiContext): Promise<Fleet> {
    const filter: ApplicationFilter = {
      name: args.filter?.name,
      user: args.filter?.user,
      sparkVersion: args.filter?.sparkVersion,
      from: args.filter?.from?.getTime(),
      to: args.filter?.to?.getTime(),
    };
    const report = await fleetReport(db, config, filter, {
      groupBy: args.groupBy ?? config.FLEET_GROUP_BY,
      top: args.top,
      lastRuns: args.lastRuns,
      prices: { perCoreHour: args.pricePerCoreHour, perGbHour: args.pricePerGbHour },
    });
    return {
      ...report,
      topWaste: report.topWaste.map((app) => toType(app, report.prices)),
      groups: report.groups.map((group) => ({ ...group, series: group.series.map((run) => ({ ...run, startTime: date(run.startTime) })) })),
    };
  }
}

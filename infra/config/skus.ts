/**
 * The SKUs the platform supports, as enum-like classes that know what their tier can do. A
 * construct asks the SKU ("can this plan autoscale?") instead of matching names, and a name that
 * is not listed fails at synth with the allowed ones.
 */

function lookup<T extends { readonly name: string }>(kind: string, all: readonly T[], name: string): T {
  const found = all.find((sku) => sku.name === name);
  if (!found)
    throw new Error(
      `${kind} SKU "${name}" is not supported; use one of ${all.map((s) => s.name).join(', ')}`,
    );
  return found;
}

/** App Service plan SKUs (Linux). */
export class AppServiceSku {
  private static readonly all: AppServiceSku[] = [];
  static readonly B1 = new AppServiceSku('B1', 'Basic', {
    autoscale: false,
    maxInstances: 3,
    zoneRedundant: false,
  });
  static readonly B2 = new AppServiceSku('B2', 'Basic', {
    autoscale: false,
    maxInstances: 3,
    zoneRedundant: false,
  });
  static readonly S1 = new AppServiceSku('S1', 'Standard', {
    autoscale: true,
    maxInstances: 10,
    zoneRedundant: false,
  });
  static readonly P0v3 = new AppServiceSku('P0v3', 'PremiumV3', {
    autoscale: true,
    maxInstances: 30,
    zoneRedundant: true,
  });
  static readonly P1v3 = new AppServiceSku('P1v3', 'PremiumV3', {
    autoscale: true,
    maxInstances: 30,
    zoneRedundant: true,
  });

  static of(name: string): AppServiceSku {
    return lookup('App Service', AppServiceSku.all, name);
  }

  private constructor(
    readonly name: string,
    readonly tier: 'Basic' | 'Standard' | 'PremiumV3',
    private readonly capabilities: {
      /** Azure Monitor autoscale needs Standard or above; Basic scales by a fixed worker count. */
      readonly autoscale: boolean;
      readonly maxInstances: number;
      readonly zoneRedundant: boolean;
    },
  ) {
    AppServiceSku.all.push(this);
  }

  get supportsAutoscale(): boolean {
    return this.capabilities.autoscale;
  }
  get maxInstances(): number {
    return this.capabilities.maxInstances;
  }
  get supportsZoneRedundancy(): boolean {
    return this.capabilities.zoneRedundant;
  }
  /** Every listed tier keeps the app warm; Free and Shared (not listed) cannot. */
  get supportsAlwaysOn(): boolean {
    return true;
  }
}

/** Container registry SKUs. */
export class RegistrySku {
  private static readonly all: RegistrySku[] = [];
  static readonly BASIC = new RegistrySku('Basic', false);
  static readonly STANDARD = new RegistrySku('Standard', false);
  static readonly PREMIUM = new RegistrySku('Premium', true);

  static of(name: string): RegistrySku {
    return lookup('Container Registry', RegistrySku.all, name);
  }

  private constructor(
    readonly name: 'Basic' | 'Standard' | 'Premium',
    /** Only Premium can turn public network access off or use private endpoints. */
    readonly supportsPrivateNetworking: boolean,
  ) {
    RegistrySku.all.push(this);
  }
}

/** Azure SQL Database SKUs (DTU model). */
export class SqlDatabaseSku {
  private static readonly all: SqlDatabaseSku[] = [];
  static readonly S0 = new SqlDatabaseSku('S0', 'Standard', 10);
  static readonly S1 = new SqlDatabaseSku('S1', 'Standard', 20);
  static readonly S2 = new SqlDatabaseSku('S2', 'Standard', 50);
  static readonly P1 = new SqlDatabaseSku('P1', 'Premium', 125);

  static of(name: string): SqlDatabaseSku {
    return lookup('SQL Database', SqlDatabaseSku.all, name);
  }

  private constructor(
    readonly name: string,
    readonly tier: 'Standard' | 'Premium',
    readonly dtus: number,
  ) {
    SqlDatabaseSku.all.push(this);
  }

  /** Zone redundancy is a Premium (and vCore) feature in the DTU model. */
  get supportsZoneRedundancy(): boolean {
    return this.tier === 'Premium';
  }
}

/** Azure Managed Redis SKUs: the memory they hold decides the cache's budget. */
export class ManagedRedisSku {
  private static readonly all: ManagedRedisSku[] = [];
  static readonly BALANCED_B0 = new ManagedRedisSku('Balanced_B0', 0.5);
  static readonly BALANCED_B1 = new ManagedRedisSku('Balanced_B1', 1);
  static readonly BALANCED_B3 = new ManagedRedisSku('Balanced_B3', 3);
  static readonly BALANCED_B5 = new ManagedRedisSku('Balanced_B5', 6);

  static of(name: string): ManagedRedisSku {
    return lookup('Managed Redis', ManagedRedisSku.all, name);
  }

  private constructor(
    readonly name: string,
    readonly memoryGb: number,
  ) {
    ManagedRedisSku.all.push(this);
  }
}

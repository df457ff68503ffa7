import { ManagedRedisSku } from '../config/skus';
import { Construct, Fn, ManagedRedis, RedisCache } from '../provider';
import { allowPublicAccess, type Placement, type PublicAccess } from './common';
import type { Monitoring } from './monitoring';
import { type Network, PRIVATE_LINK_ZONES } from './network';

export type CacheFlavour =
  | { readonly flavour: 'managed'; readonly sku: ManagedRedisSku }
  | {
      readonly flavour: 'classic';
      readonly sku: 'Basic' | 'Standard' | 'Premium';
      readonly family: 'C' | 'P';
      readonly capacity: number;
    };

export interface CacheProps extends Placement {
  readonly name: string;
  /**
   * Azure Managed Redis by default: Azure Cache for Redis (Basic/Standard/Premium) retires on
   * 2028-09-30. @default { flavour: 'managed', sku: ManagedRedisSku.BALANCED_B0 }
   */
  readonly redis?: CacheFlavour;
  /** @default true for managed Redis */
  readonly highAvailability?: boolean;
  /** @default off */
  readonly publicAccess?: PublicAccess;
  /** Gives Redis a private endpoint in this network. @default none */
  readonly network?: Network;
  readonly monitoring: Monitoring;
}

/** Redis for the response cache and the rate limits: TLS only, 1.2 minimum. */
export class Cache extends Construct {
  /** `rediss://` URL with the access key; goes to Key Vault, never to an app setting. */
  readonly url: string;
  /** Managed Redis runs the OSS cluster policy: the API connects with REDIS_CLUSTER=true. */
  readonly clustered: boolean;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const flavour = props.redis ?? { flavour: 'managed', sku: ManagedRedisSku.BALANCED_B0 };
    const publicAccess = allowPublicAccess(this, props.publicAccess);
    if (flavour.flavour === 'managed') {
      const redis = new ManagedRedis(this, 'redis', {
        name: props.name,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        skuName: flavour.sku.name,
        highAvailabilityEnabled: props.highAvailability ?? true,
        publicNetworkAccess: publicAccess ? 'Enabled' : 'Disabled',
        defaultDatabase: {
          clientProtocol: 'Encrypted',
          clusteringPolicy: 'OSSCluster',
          // The memory budget is the SKU's (memoryGb). Only keys with a TTL, the cached responses,
          // may be evicted: generation counters and rate-limit windows (lockouts) have none, so
          // cache pressure cannot lift a lockout. LFU would stop the idle-counter sweep; allkeys-*
          // would evict security state. Persistence stays off (see docs/cache.md).
          evictionPolicy: 'VolatileLRU',
          accessKeysAuthenticationEnabled: true,
        },
      });
      this.url = redisUrl(redis.defaultDatabase.primaryAccessKey, redis.hostname, redis.defaultDatabase.port);
      this.clustered = true;
      props.network?.connect(this, 'private-endpoint', props.name, {
        resourceId: redis.id,
        subresource: 'redisEnterprise',
        zone: PRIVATE_LINK_ZONES.managedRedis,
      });
      // The cluster resource has metrics only; the connection logs exist on its database alone.
      props.monitoring.diagnostics(this, redis.id, { logs: false });
      props.monitoring.diagnostics(this, `${redis.id}/databases/default`, {
        id: 'database-diagnostics',
        metrics: false,
      });
    } else {
      if (flavour.sku !== 'Premium' && flavour.family === 'P')
        throw new Error('family P needs the Premium SKU');
      const redis = new RedisCache(this, 'redis', {
        name: props.name,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        skuName: flavour.sku,
        family: flavour.family,
        capacity: flavour.capacity,
        nonSslPortEnabled: false,
        minimumTlsVersion: '1.2',
        publicNetworkAccessEnabled: publicAccess,
        redisConfiguration: { maxmemoryPolicy: 'volatile-lru' },
      });
      this.url = redisUrl(redis.primaryAccessKey, redis.hostname, redis.sslPort);
      this.clustered = false;
      props.network?.connect(this, 'private-endpoint', props.name, {
        resourceId: redis.id,
        subresource: 'redisCache',
        zone: PRIVATE_LINK_ZONES.classicRedis,
      });
      props.monitoring.diagnostics(this, redis.id);
    }
  }
}

/**
 * Access keys are base64 and may hold `/`, `+` and `=`, which end the userinfo of a URL: the key is
 * percent-encoded so `new URL()` in the app parses it (and ioredis decodes it back).
 */
function redisUrl(key: string, host: string, port: number): string {
  return `rediss://:${Fn.urlencode(key)}@${host}:${port}`;
}

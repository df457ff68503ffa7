import {
  Construct,
  NatGateway,
  NatGatewayPublicIpAssociation,
  NetworkSecurityGroup,
  PrivateDnsZone,
  PrivateDnsZoneVirtualNetworkLink,
  PrivateEndpoint,
  PublicIp,
  Subnet,
  SubnetNatGatewayAssociation,
  SubnetNetworkSecurityGroupAssociation,
  VirtualNetwork,
} from '../provider';
import type { Placement } from './common';

/** The private DNS zone Azure resolves each private-link service through. */
export const PRIVATE_LINK_ZONES = {
  sqlServer: 'privatelink.database.windows.net',
  managedRedis: 'privatelink.redis.azure.net',
  classicRedis: 'privatelink.redis.cache.windows.net',
  keyVault: 'privatelink.vaultcore.azure.net',
} as const;

export interface PrivateLinkTarget {
  readonly resourceId: string;
  /** The service's sub-resource (group id), e.g. `sqlServer`, `vault`, `redisEnterprise`. */
  readonly subresource: string;
  readonly zone: (typeof PRIVATE_LINK_ZONES)[keyof typeof PRIVATE_LINK_ZONES];
}

export interface NetworkProps extends Placement {
  readonly name: string;
  /** A /16 to /24 IPv4 range, split into the app subnet and the private-endpoint subnet. @default '10.40.0.0/16' */
  readonly addressSpace?: string;
  /**
   * The app subnet has no default outbound access and the app routes everything through it, so
   * internet egress (Application Insights ingestion, Firebase, Entra token endpoints) needs a NAT
   * gateway with a static public IP. @default { natGatewayName: `ng-<name>`, publicIpName: `pip-<name>` }
   */
  readonly egress?: { readonly natGatewayName: string; readonly publicIpName: string };
}

/** `a.b.c.d/n` with 16 <= n <= 24: room for two subnets of a quarter of it each. */
function parseAddressSpace(cidr: string): { octets: number[]; bits: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const bits = match ? Number(match[5]) : Number.NaN;
  if (!match || octets.some((o) => o > 255) || !(bits >= 16 && bits <= 24)) {
    throw new Error(`addressSpace must be an IPv4 range from /16 to /24, got "${cidr}"`);
  }
  return { octets, bits };
}

/** The i-th quarter of a range, as a CIDR. */
function quarter({ octets, bits }: ReturnType<typeof parseAddressSpace>, index: number): string {
  const base = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - bits - 2);
  const start = base - (base % 2 ** (32 - bits)) + index * size;
  const address = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join('.');
  return `${address}/${bits + 2}`;
}

/**
 * A VNet with one subnet the App Service integrates into (all its outbound traffic routed through
 * it) and one for private endpoints, plus one private DNS zone per private-link service, linked to
 * the VNet. Services that only the app reaches can then turn public access off altogether.
 */
/** HTTPS (Key Vault), SQL, and Azure Managed Redis's TLS port. */
const PRIVATE_ENDPOINT_PORTS = ['443', '1433', '10000'] as const;

export class Network extends Construct {
  readonly vnet: VirtualNetwork;
  readonly appSubnet: Subnet;
  readonly endpointSubnet: Subnet;
  readonly natGateway: NatGateway;
  /** The one address the app's outbound traffic leaves from (allow-list it where needed). */
  readonly egressIp: PublicIp;
  private readonly zones = new Map<string, PrivateDnsZone>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: NetworkProps,
  ) {
    super(scope, id);
    const addressSpace = props.addressSpace ?? '10.40.0.0/16';
    const range = parseAddressSpace(addressSpace);
    const place = { resourceGroupName: props.resourceGroupName };
    this.vnet = new VirtualNetwork(this, 'vnet', {
      ...place,
      name: props.name,
      location: props.location,
      addressSpace: [addressSpace],
    });
    this.appSubnet = new Subnet(this, 'app', {
      ...place,
      name: 'snet-app',
      virtualNetworkName: this.vnet.name,
      addressPrefixes: [quarter(range, 0)],
      defaultOutboundAccessEnabled: false,
      delegation: [
        {
          name: 'app-service',
          serviceDelegation: {
            name: 'Microsoft.Web/serverFarms',
            actions: ['Microsoft.Network/virtualNetworks/subnets/action'],
          },
        },
      ],
    });
    this.endpointSubnet = new Subnet(this, 'endpoints', {
      ...place,
      name: 'snet-private-endpoints',
      virtualNetworkName: this.vnet.name,
      addressPrefixes: [quarter(range, 1)],
      defaultOutboundAccessEnabled: false,
      // Without this, private endpoints ignore the subnet's NSG.
      privateEndpointNetworkPolicies: 'Enabled',
    });
    this.guard(props, 'app', this.appSubnet, []);
    // Only the app's subnet reaches the endpoints, and only on the ports of the services behind them.
    this.guard(props, 'endpoints', this.endpointSubnet, [
      { name: 'app-to-endpoints', from: quarter(range, 0), ports: PRIVATE_ENDPOINT_PORTS },
    ]);
    const egress = props.egress ?? { natGatewayName: `ng-${props.name}`, publicIpName: `pip-${props.name}` };
    this.egressIp = new PublicIp(this, 'egress-ip', {
      ...place,
      name: egress.publicIpName,
      location: props.location,
      allocationMethod: 'Static',
      sku: 'Standard',
    });
    this.natGateway = new NatGateway(this, 'nat', {
      ...place,
      name: egress.natGatewayName,
      location: props.location,
      skuName: 'Standard',
      idleTimeoutInMinutes: 10,
    });
    new NatGatewayPublicIpAssociation(this, 'nat-ip', {
      natGatewayId: this.natGateway.id,
      publicIpAddressId: this.egressIp.id,
    });
    new SubnetNatGatewayAssociation(this, 'app-egress', {
      subnetId: this.appSubnet.id,
      natGatewayId: this.natGateway.id,
    });
  }

  /**
   * An NSG on a subnet: the given inbound flows, then every other inbound flow from the VNet denied
   * (Azure's default rules would allow it). Outbound keeps Azure's defaults (the NAT gateway egress).
   */
  private guard(
    props: NetworkProps,
    id: string,
    subnet: Subnet,
    allow: readonly { readonly name: string; readonly from: string; readonly ports: readonly string[] }[],
  ): void {
    const nsg = new NetworkSecurityGroup(this, `${id}-nsg`, {
      name: `nsg-${props.name}-${id}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      securityRule: [
        ...allow.map((rule, i) => ({
          name: rule.name,
          priority: 100 + i * 10,
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          sourceAddressPrefix: rule.from,
          sourcePortRange: '*',
          destinationAddressPrefix: '*',
          destinationPortRanges: [...rule.ports],
        })),
        {
          name: 'deny-other-vnet-inbound',
          priority: 4000,
          direction: 'Inbound',
          access: 'Deny',
          protocol: '*',
          sourceAddressPrefix: 'VirtualNetwork',
          sourcePortRange: '*',
          destinationAddressPrefix: '*',
          destinationPortRange: '*',
        },
      ],
    });
    new SubnetNetworkSecurityGroupAssociation(this, `${id}-nsg-association`, {
      subnetId: subnet.id,
      networkSecurityGroupId: nsg.id,
    });
  }

  /** A private endpoint for `target`, resolvable from the VNet by the service's usual host name. */
  connect(scope: Construct, id: string, name: string, target: PrivateLinkTarget): PrivateEndpoint {
    return new PrivateEndpoint(scope, id, {
      name: `pe-${name}`,
      resourceGroupName: this.props.resourceGroupName,
      location: this.props.location,
      subnetId: this.endpointSubnet.id,
      privateServiceConnection: {
        name: `psc-${name}`,
        privateConnectionResourceId: target.resourceId,
        subresourceNames: [target.subresource],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [this.zone(target.zone).id] },
    });
  }

  private zone(name: string): PrivateDnsZone {
    let zone = this.zones.get(name);
    if (!zone) {
      const id = name.replace(/\./g, '-');
      zone = new PrivateDnsZone(this, id, { name, resourceGroupName: this.props.resourceGroupName });
      new PrivateDnsZoneVirtualNetworkLink(this, `${id}-link`, {
        name: `link-${this.props.name}`,
        resourceGroupName: this.props.resourceGroupName,
        privateDnsZoneName: zone.name,
        virtualNetworkId: this.vnet.id,
      });
      this.zones.set(name, zone);
    }
    return zone;
  }
}

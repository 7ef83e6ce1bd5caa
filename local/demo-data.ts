/**
 * The demo shop's data, loaded once the local platform runs so that an order can be placed at once:
 * products in the catalog's table (the catalog is read-only through its API; its products are
 * loaded by tooling, as here, checked against the schema the catalog reads them with), and their
 * stock and prices in inventory, set through the edge as a client would (`PUT /stock/{productId}`
 * with a web token).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { StoredProduct, type Product } from '../services/catalog/product';
import type { LocalPlatform } from './local-platform';

/** The demo products, with the stock each starts with. */
export const DEMO_PRODUCTS: readonly (Product & { readonly available: number })[] = [
  { id: 'espresso-beans', name: 'Espresso beans, 1 kg', description: 'Dark roast', priceMinor: 1890, currency: 'EUR', category: 'coffee', available: 100 },
  { id: 'filter-papers', name: 'Filter papers (100)', priceMinor: 450, currency: 'EUR', category: 'accessories', available: 500 },
  { id: 'hand-grinder', name: 'Hand grinder', description: 'Conical burrs', priceMinor: 6900, currency: 'EUR', category: 'equipment', available: 10 },
];

/** Loads the demo products into the catalog's table and their stock into inventory. */
export async function seedDemoData(platform: LocalPlatform): Promise<void> {
  const catalogTable = platform.model.tables.find((table) => table.service === 'catalog');
  if (catalogTable === undefined) throw new Error('the demo data needs the catalog service and its table');
  const token = await platform.issuer.tokenFor('web');
  for (const { available, ...product } of DEMO_PRODUCTS) {
    await platform.dynamodb.dynalite.documents.send(new PutCommand({ TableName: catalogTable.name, Item: StoredProduct.parse(product) }));
    const response = await fetch(`${platform.edge.url}/stock/${product.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-none-match': '*' },
      body: JSON.stringify({ available, unitPriceMinor: product.priceMinor }),
    });
    if (response.status !== 201) throw new Error(`setting the stock of ${product.id} answered ${response.status}: ${await response.text()}`);
  }
}

import type { PricesResponse } from '../../query/response-schemas.js';
import type { CliCommand } from '../cli-command.js';
import { CliError, EXIT, usageError } from '../cli-errors.js';
import { calls, printTable, usd } from '../text-output.js';

/** `costscope prices`: the effective price catalog of `GET /api/v1/prices`. */
export const pricesCommand: CliCommand = {
  name: 'prices',
  summary: "the price catalog with this project's overrides, per million tokens",
  usage: `Usage: costscope prices [--model MODEL] [--at DATE] [--json]

  The prices in force (the catalog with this project's overrides), USD per million tokens,
  and the models seen in the last 30 days that no price applied to. Needs a read key.

Options:
  --model MODEL    only models whose id or name contains MODEL (gpt-5, claude, haiku…)
  --at DATE        the prices in force at this day or instant (default now)
  --json           print the API's JSON`,
  options: { model: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, values, args, api }) {
    if (args.length > 0) throw usageError(`prices takes no arguments (got "${args.join(' ')}"); filter with --model`);
    const query = typeof values.at === 'string' ? `?at=${encodeURIComponent(values.at)}` : '';
    const answer = await (await api()).json<PricesResponse>('GET', `/api/v1/prices${query}`);
    const wanted = typeof values.model === 'string' ? values.model.toLowerCase() : undefined;
    const prices = wanted
      ? answer.prices.filter((price) => price.model.toLowerCase().includes(wanted) || price.displayName.toLowerCase().includes(wanted))
      : answer.prices;
    if (wanted && prices.length === 0) {
      throw new CliError(`no model matching "${values.model}" has a price at ${answer.at}; costscope prices lists them all`, EXIT.serverError);
    }
    if (values.json) {
      io.out(JSON.stringify({ ...answer, prices }, null, 2));
      return EXIT.ok;
    }
    printTable(
      io,
      ['MODEL', 'PROVIDER', 'TIER', 'INPUT', 'CACHED INPUT', 'CACHE WRITE', 'OUTPUT', 'BATCH', 'PRICE VERSION'],
      prices.map((price) => [
        price.model,
        price.provider,
        price.tier ?? '',
        usd(price.inputPerMillionUsd),
        usd(price.cachedInputPerMillionUsd),
        usd(price.cacheWritePerMillionUsd),
        usd(price.outputPerMillionUsd),
        price.batchDiscountPercent === null ? '—' : `-${price.batchDiscountPercent}%`,
        price.priceVersion,
      ]),
      [3, 4, 5, 6, 7],
    );
    io.out(`USD per million tokens, in force at ${answer.at}. "—": cache reads or writes bill as input; no batch API.`);
    if (!wanted && answer.unpricedModels.length > 0) {
      io.out('');
      io.out('Models with no price (stored unpriced; add an override in the settings):');
      for (const model of answer.unpricedModels) io.out(`  ${model.model}  ${calls(model.requests)}, last ${model.lastSeen}`);
    }
    return EXIT.ok;
  },
};

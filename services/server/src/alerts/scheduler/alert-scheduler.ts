import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  alertRulesSchema,
  featureAllocationsSchema,
  parseUsd,
  projectBudgetSchema,
  type AlertRules,
  type FeatureAllocation,
  type UsdAtto,
} from '@costscope/core';
import { SERVER_CONFIG, type ServerConfig } from '../../config/server-config.js';
import { listAlertEpisodes, saveAlertDelivery, saveAlertEpisode, type AlertDeliveryRecord, type AlertEpisodeRecord } from '../../storage/alert-episodes.js';
import { claimAlertLease } from '../../storage/alert-lease.js';
import { listAlertMessages, saveAlertMessage, type AlertMessageRecord } from '../../storage/alert-messages.js';
import { listAlertProjects } from '../../storage/alert-rule-inputs.js';
import { sealHourlyRollups } from '../../storage/hourly-rollups.js';
import { getSetting } from '../../storage/settings.js';
import { CLICKHOUSE_TRANSPORT } from '../../storage/storage.module.js';
import type { ClickHouseTransport } from '../../storage/transport.js';
import type { AlertChannel } from '../channels/alert-channel.js';
import { ALERT_DELIVERY_CONFIG, type AlertDeliveryConfig } from '../channels/alert-delivery-config.js';
import { isRetryableFailure, type DeliveryOutcome } from '../channels/deliver-message.js';
import { alertDeliveryKey, weeklyReviewDeliveryKey } from '../channels/delivery-key.js';
import { ProjectChannels } from '../channels/project-channels.js';
import { sendAlertGroup, sendWeeklyReview } from '../channels/send-notifications.js';
import type { AlertGroup, NotifiedAction, WeeklyReviewDigest } from '../messages/notification-types.js';
import { AlertClock } from './alert-clock.js';
import { decodePayload, encodePayload } from './alert-payload.js';
import { evaluateRules } from './evaluate-rules.js';
import { planNotifications } from './plan-notifications.js';
import { buildWeeklyReport } from './weekly-report.js';
import { addLocalDays, isoWeekOfDay, localTime, startOfLocalDay } from '@costscope/core';

/** The lease every scheduler process claims each term; the winner evaluates that term. */
export const ALERTS_LEASE = 'alerts';

/** The evaluation interval's name in `@nestjs/schedule`'s registry. */
export const ALERTS_INTERVAL = 'alerts-evaluation';

/** What one `evaluateNow()` did, for logs and tests. */
export type EvaluationReport = {
  at: Date;
  term: number;
  /** False when another scheduler holds this term: this process did nothing. */
  evaluated: boolean;
  holder: string;
  /** Messages this run sent or finished (alert groups and weekly reviews), by delivery key. */
  messages: Array<{ projectId: string; deliveryKey: string; kind: 'alert' | 'weekly'; status: 'pending' | 'done' }>;
};

/** Outbox payload of an alert message: the group to render and the episode states it commits. */
type AlertMessagePayload = { group: AlertGroup; episodes: AlertEpisodeRecord[] };
type WeeklyMessagePayload = { digest: WeeklyReviewDigest };

const MESSAGE_KIND: Readonly<Record<NotifiedAction, AlertDeliveryRecord['messageKind']>> = {
  open: 'fired',
  repeat: 'repeat',
  escalate: 'escalated',
  resolve: 'resolved',
};

/**
 * A message stored or updated this recently may still be in another run's hands (a scheduler
 * whose evaluation ran into the next term while it retried a channel): leave it alone. One
 * delivery takes at most about two minutes — 5 attempts, waits of at most 16 s, 15 s timeouts.
 */
export const IN_FLIGHT_GRACE_MS = 3 * 60_000;

/** Episodes are listed by overlap with a range; this one covers every episode ever stored. */
const ALL_TIME = { from: new Date(0), toAfterNowMs: 366 * 86_400_000 };

/**
 * The alert scheduler: every `COSTSCOPE_ALERTS_INTERVAL` it claims the term's lease and, if it
 * won, for each project finishes unfinished messages of earlier runs, evaluates the rules, moves
 * the episodes through their lifecycle, sends the project's notices as one grouped message, and
 * sends the weekly review when it is due. Tests set the `AlertClock` and call `evaluateNow()`.
 */
@Injectable()
export class AlertScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AlertScheduler');
  /** This process's identity in the lease table. */
  readonly holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  private running: Promise<unknown> = Promise.resolve();
  /** True while an evaluation started by the interval runs. */
  private ticking = false;
  private stopped = false;

  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(ALERT_DELIVERY_CONFIG) private readonly delivery: AlertDeliveryConfig,
    @Inject(AlertClock) private readonly clock: AlertClock,
    @Inject(ProjectChannels) private readonly projectChannels: ProjectChannels,
    @Inject(SchedulerRegistry) private readonly schedulerRegistry: SchedulerRegistry,
  ) {}

  /**
   * Registered in `@nestjs/schedule`'s registry rather than with `@Interval()`, whose period is
   * fixed at compile time: this one is `COSTSCOPE_ALERTS_INTERVAL`, read at start. The schedule
   * module clears it at shutdown too.
   */
  onApplicationBootstrap(): void {
    const interval = setInterval(() => this.tick(), this.config.alertsIntervalMs);
    // The interval alone must not keep a process alive whose server has closed.
    interval.unref();
    this.schedulerRegistry.addInterval(ALERTS_INTERVAL, interval);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.schedulerRegistry.doesExist('interval', ALERTS_INTERVAL)) this.schedulerRegistry.deleteInterval(ALERTS_INTERVAL);
    await this.running.catch(() => undefined);
  }

  /**
   * One tick of the interval. A tick that comes while the previous evaluation still runs is
   * skipped, so a slow evaluation never has the next ones queue up behind it. While a test holds
   * the clock (manual), ticks do nothing: the test drives every evaluation.
   */
  private tick(): void {
    if (this.stopped || this.ticking || this.clock.isManual) return;
    this.ticking = true;
    void this.evaluateNow()
      .catch((error: unknown) => this.logger.error(`alert evaluation failed: ${messageOf(error)}`))
      .finally(() => (this.ticking = false));
  }

  /** One evaluation at the clock's current time; runs one at a time within this process. */
  evaluateNow(): Promise<EvaluationReport> {
    const run = this.running.catch(() => undefined).then(() => this.evaluate(this.clock.now()));
    this.running = run;
    return run;
  }

  private async evaluate(now: Date): Promise<EvaluationReport> {
    const term = Math.floor(now.getTime() / this.config.alertsIntervalMs);
    const lease = await claimAlertLease(this.transport, { name: ALERTS_LEASE, term, holder: this.holder, claimedAt: now });
    const report: EvaluationReport = { at: now, term, evaluated: lease.won, holder: lease.holder, messages: [] };
    if (!lease.won) return report;
    for (const projectId of await listAlertProjects(this.transport)) {
      try {
        await this.sealRollups(projectId, now);
      } catch (error) {
        // Unsealed hours are read from the calls themselves: slower, never wrong.
        this.logger.error(`rollups of project ${projectId} not sealed: ${messageOf(error)}`);
      }
      try {
        await this.evaluateProject(projectId, now, report);
      } catch (error) {
        // One project's failure (a bad setting, a query error) must not silence the others.
        this.logger.error(`alerts of project ${projectId} failed: ${messageOf(error)}`);
      }
    }
    return report;
  }

  /**
   * Seals the complete hours whose rollups no longer match their calls (docs/scaling.md), so
   * reads of them come from rollups again. Hours the retention TTL may be dropping keep their seal.
   */
  private async sealRollups(projectId: string, now: Date): Promise<void> {
    const retentionEdge = now.getTime() - this.config.retentionDays * 86_400_000 + 3_600_000;
    await sealHourlyRollups(this.transport, { projectId, from: new Date(retentionEdge), to: now });
  }

  private async evaluateProject(projectId: string, now: Date, report: EvaluationReport): Promise<void> {
    const channels = await this.channelsOf(projectId);
    try {
      // First what earlier runs left unfinished, so their episode states are in place before
      // anything is evaluated again, and a message is finished under its own key, not re-made.
      const unfinished = await listAlertMessages(this.transport, { projectId, unfinished: true });
      // Evaluating beside a message still in flight could open its episodes a second time:
      // this project waits for the next run.
      if (unfinished.some((message) => now.getTime() - message.updatedAt.getTime() < IN_FLIGHT_GRACE_MS)) return;
      for (const message of unfinished) await this.finishMessage(message, channels, now, report);
      const [rules, allocations, projectBudgetUsd] = await Promise.all([this.rulesOf(projectId), this.allocationsOf(projectId), this.projectBudgetOf(projectId)]);
      const evaluated = await evaluateRules(this.transport, { projectId, now, timezone: this.config.timezone, rules, allocations, projectBudgetUsd });
      const firing = await listAlertEpisodes(this.transport, {
        projectId,
        from: ALL_TIME.from,
        to: new Date(now.getTime() + ALL_TIME.toAfterNowMs),
        status: 'firing',
        limit: 10_000,
      });
      const plan = planNotifications({ projectId, now, rules, evaluated, firing });
      if (plan.notices.length > 0) {
        const group: AlertGroup = { projectId, projectName: projectId, notifiedAt: now, alerts: plan.notices };
        const message: AlertMessageRecord = {
          projectId,
          deliveryKey: alertDeliveryKey(group),
          kind: 'alert',
          status: 'prepared',
          revision: 1,
          payload: encodePayload({ group, episodes: plan.episodes } satisfies AlertMessagePayload),
          outcomes: [],
          createdAt: now,
          updatedAt: now,
        };
        // Stored before anything else: from here on a crash is finished by the next run.
        await saveAlertMessage(this.transport, message);
        await this.finishMessage(message, channels, now, report);
      }
      await this.sendWeeklyReviewIfDue(projectId, now, channels, report);
    } finally {
      await Promise.all(channels.map((channel) => channel.close?.()));
    }
  }

  /**
   * Takes a stored message to `done`: writes the episode states it commits (once, `prepared` →
   * `pending`), then sends to the channels that have not delivered it yet and records each
   * outcome. It stays `pending` while a channel failed in a way a later run may fix.
   */
  private async finishMessage(message: AlertMessageRecord, channels: readonly AlertChannel[], now: Date, report: EvaluationReport): Promise<void> {
    let current = message;
    if (current.status === 'prepared') {
      if (current.kind === 'alert') {
        for (const episode of decodePayload<AlertMessagePayload>(current.payload).episodes) await saveAlertEpisode(this.transport, episode);
      }
      current = { ...current, status: 'pending', revision: current.revision + 1, updatedAt: now };
      await saveAlertMessage(this.transport, current);
    }
    const previousOutcomes = decodePayload<DeliveryOutcome[]>(current.outcomes);
    const options = {
      dashboardUrl: this.delivery.dashboardUrl,
      deliveryKey: current.deliveryKey,
      previousOutcomes,
      clock: this.clock,
    };
    let outcomes: DeliveryOutcome[];
    if (current.kind === 'alert') {
      const { group } = decodePayload<AlertMessagePayload>(current.payload);
      await this.recordDeliveries(current.deliveryKey, group, channels, previousOutcomes, now);
      const sent = await sendAlertGroup(group, channels, {
        ...options,
        onOutcome: (outcome) => this.recordDeliveries(current.deliveryKey, group, [outcome], previousOutcomes, now),
      });
      outcomes = sent.outcomes;
    } else {
      const { digest } = decodePayload<WeeklyMessagePayload>(current.payload);
      outcomes = (await sendWeeklyReview(digest, channels, options)).outcomes;
    }
    // Outcomes of channels no longer configured are kept, so their record is not forgotten.
    const merged = [...previousOutcomes.filter((old) => !outcomes.some((o) => o.channel === old.channel)), ...outcomes];
    const status = outcomes.some(isRetryableFailure) ? 'pending' : 'done';
    await saveAlertMessage(this.transport, {
      ...current,
      status,
      revision: current.revision + 1,
      outcomes: encodePayload(merged),
      updatedAt: this.clock.now(),
    });
    report.messages.push({ projectId: current.projectId, deliveryKey: current.deliveryKey, kind: current.kind, status });
  }

  /**
   * The per-episode delivery records `/api/v1/alerts` shows: `pending` before a channel is tried
   * (given channels), then its outcome (given outcomes). Each version is written 1 ms after the
   * previous so the newest wins even while a test's clock stands still.
   */
  private async recordDeliveries(
    deliveryKey: string,
    group: AlertGroup,
    items: ReadonlyArray<AlertChannel | DeliveryOutcome>,
    previousOutcomes: readonly DeliveryOutcome[],
    now: Date,
  ): Promise<void> {
    for (const item of items) {
      const isOutcome = 'status' in item;
      const channel = isOutcome ? item.channel : item.name;
      const previous = previousOutcomes.find((outcome) => outcome.channel === channel);
      if (!isOutcome && previous?.status === 'delivered') continue;
      const updatedAt = isOutcome ? new Date(Math.max(item.finishedAt.getTime(), now.getTime() + 1)) : now;
      for (const alert of group.alerts) {
        await saveAlertDelivery(this.transport, {
          projectId: group.projectId,
          episodeId: alert.episodeId,
          deliveryId: `${deliveryKey}:${channel}`,
          channel,
          messageKind: MESSAGE_KIND[alert.action],
          status: !isOutcome ? 'pending' : item.status === 'delivered' ? 'sent' : 'failed',
          attempts: isOutcome ? item.attempts : (previous?.attempts ?? 0),
          error: isOutcome && item.lastError ? `${item.lastError.code}: ${item.lastError.message}${item.lastError.retryable ? ' (will retry)' : ''}` : '',
          createdAt: previous?.firstAttemptAt ?? group.notifiedAt,
          updatedAt,
        });
      }
    }
  }

  /**
   * The review of the last complete week goes out once the configured local weekday and time
   * (Monday 09:00) has come, within that day — a scheduler that was down at 09:00 still sends it
   * on Monday, but a server first started on a Thursday does not send last week's.
   */
  private async sendWeeklyReviewIfDue(projectId: string, now: Date, channels: readonly AlertChannel[], report: EvaluationReport): Promise<void> {
    const schedule = this.config.weeklyReview;
    if (!schedule || channels.length === 0) return;
    const timezone = this.config.timezone;
    const local = localTime(now, timezone);
    const monday = addLocalDays(local.day, 1 - local.isoWeekday);
    const sendDay = addLocalDays(monday, schedule.isoWeekday - 1);
    const dueAt = new Date(startOfLocalDay(sendDay, timezone).getTime() + schedule.minuteOfDay * 60_000);
    if (now < dueAt || local.day !== sendDay) return;
    const week = isoWeekOfDay(addLocalDays(monday, -7));
    const deliveryKey = weeklyReviewDeliveryKey(projectId, week);
    if ((await listAlertMessages(this.transport, { projectId, deliveryKeys: [deliveryKey] })).length > 0) return;
    const { episodes: _episodes, ...digest } = await buildWeeklyReport(this.transport, { projectId, week, timezone });
    const message: AlertMessageRecord = {
      projectId,
      deliveryKey,
      kind: 'weekly',
      status: 'pending',
      revision: 2,
      payload: encodePayload({ digest } satisfies WeeklyMessagePayload),
      outcomes: [],
      createdAt: now,
      updatedAt: now,
    };
    await saveAlertMessage(this.transport, message);
    await this.finishMessage(message, channels, now, report);
  }

  private channelsOf(projectId: string): Promise<AlertChannel[]> {
    return this.projectChannels.channelsOf(projectId);
  }

  private async rulesOf(projectId: string): Promise<AlertRules> {
    const stored = await getSetting(this.transport, { projectId, kind: 'rules' });
    return alertRulesSchema.parse(stored?.value ?? {});
  }

  private async allocationsOf(projectId: string): Promise<FeatureAllocation[]> {
    const stored = await getSetting(this.transport, { projectId, kind: 'allocations' });
    return featureAllocationsSchema.parse(stored?.value ?? []);
  }

  private async projectBudgetOf(projectId: string): Promise<UsdAtto | null> {
    const stored = await getSetting(this.transport, { projectId, kind: 'budget' });
    const { monthlyUsd } = projectBudgetSchema.parse(stored?.value ?? { monthlyUsd: null });
    return monthlyUsd === null ? null : parseUsd(monthlyUsd);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { fanOutDropped, roomStats, type Sfu } from '@liveport/media';
import type { AgentService } from '@liveport/agent';
import type { Router } from '../http/Router.ts';
import type { KeyRing } from '../keys.ts';
import { authenticate, requireRight } from './auth.ts';

/**
 * Prometheus text exposition at /metrics (scrape with basic_auth = API key and secret):
 * node totals, and per track and per subscription the quality the node sees.
 */
export function metricsRoutes(
  router: Router,
  sfu: Sfu,
  keys: KeyRing,
  agent: () => AgentService | undefined = () => undefined,
): void {
  router.add('GET', '/metrics', (req) => {
    requireRight(authenticate(req, keys), 'roomList');
    return { text: render(sfu, agent()), contentType: 'text/plain; version=0.0.4; charset=utf-8' };
  });
}

type Labels = Record<string, string | number | undefined>;

class Exposition {
  private families = new Map<string, { help: string; type: string; lines: string[] }>();

  add(name: string, type: 'gauge' | 'counter', help: string, value: number, labels: Labels = {}): void {
    let family = this.families.get(name);
    if (!family) this.families.set(name, (family = { help, type, lines: [] }));
    const text = Object.entries(labels)
      .filter(([, v]) => v !== undefined)
      .map(
        ([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
      )
      .join(',');
    family.lines.push(`${name}${text ? `{${text}}` : ''} ${Number.isFinite(value) ? value : 0}`);
  }

  toString(): string {
    let out = '';
    for (const [name, f] of this.families)
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n${f.lines.join('\n')}\n`;
    return out;
  }
}

export function render(sfu: Sfu, agent?: AgentService): string {
  const m = new Exposition();
  const rooms = sfu.list();
  const cpu = process.cpuUsage();
  m.add(
    'liveport_process_cpu_seconds_total',
    'counter',
    'CPU time of the node process',
    (cpu.user + cpu.system) / 1e6,
  );
  m.add(
    'liveport_process_resident_memory_bytes',
    'gauge',
    'resident memory of the node process',
    process.memoryUsage().rss,
  );
  m.add('liveport_process_heap_used_bytes', 'gauge', 'V8 heap in use', process.memoryUsage().heapUsed);
  if (agent) {
    m.add('liveport_agent_conversations_live', 'gauge', 'conversations held in memory', agent.liveCount);
    m.add(
      'liveport_agent_handoffs_waiting',
      'gauge',
      'conversations waiting for a person',
      agent.handoffs.waiting().length,
    );
    m.add('liveport_voice_sessions', 'gauge', 'voice agents in rooms on this node', agent.voices.size);
    for (const [room, voice] of agent.voices) {
      const summary = voice.session.metrics.summary();
      const labels = { room };
      m.add('liveport_voice_turns_total', 'counter', 'voice turns answered', summary.turns, labels);
      m.add(
        'liveport_voice_interruptions_total',
        'counter',
        'replies cut off by the customer',
        summary.interruptions,
        labels,
      );
      m.add(
        'liveport_voice_false_interruptions_total',
        'counter',
        'pauses that resumed (a cough, an uh-huh)',
        summary.falseInterruptions,
        labels,
      );
      const v2v = 'end of customer speech to the first agent audio packet';
      if (summary.voiceToVoiceP50Ms !== undefined) {
        m.add('liveport_voice_to_voice_ms', 'gauge', v2v, summary.voiceToVoiceP50Ms, {
          ...labels,
          quantile: '0.5',
        });
        m.add('liveport_voice_to_voice_ms', 'gauge', v2v, summary.voiceToVoiceP95Ms!, {
          ...labels,
          quantile: '0.95',
        });
      }
      if (summary.bargeInStopP95Ms !== undefined) {
        m.add(
          'liveport_voice_barge_in_stop_ms',
          'gauge',
          "customer speech onset to the agent's last audio packet",
          summary.bargeInStopP95Ms,
          { ...labels, quantile: '0.95' },
        );
      }
    }
  }
  m.add('liveport_rooms', 'gauge', 'rooms open on this node', rooms.length);
  m.add(
    'liveport_fanout_dropped_packets_total',
    'counter',
    'packets the node dropped for waiting too long to be forwarded (CPU short)',
    fanOutDropped(),
  );
  m.add(
    'liveport_participants',
    'gauge',
    'participants on this node',
    rooms.reduce((n, r) => n + r.participants.size, 0),
  );
  for (const room of rooms) {
    for (const p of roomStats(room)) {
      const who = { room: room.name, participant: p.identity };
      if (p.published.length)
        m.add(
          'liveport_uplink_estimate_bps',
          'gauge',
          'rate the node allows a publisher (REMB)',
          p.uplinkEstimateBps,
          who,
        );
      m.add(
        'liveport_downlink_estimate_bps',
        'gauge',
        "estimate of a participant's downlink from transport-wide feedback",
        p.downlinkEstimateBps,
        who,
      );
      for (const t of p.published) {
        for (const l of t.layers) {
          const labels = { ...who, track: t.trackSid, kind: t.kind, layer: l.rid ?? '' };
          m.add(
            'liveport_track_receive_bitrate_bps',
            'gauge',
            'bit/s received from the publisher, per layer',
            l.bitrateBps,
            labels,
          );
          m.add(
            'liveport_track_receive_loss_ratio',
            'gauge',
            'fraction lost from the publisher, per layer',
            l.lossRatio,
            labels,
          );
          m.add(
            'liveport_track_keyframe_requests_total',
            'counter',
            'keyframe requests sent to the publisher',
            l.keyframeRequests,
            labels,
          );
        }
      }
      for (const s of p.subscribed) {
        const labels = { ...who, track: s.trackSid, kind: s.kind };
        m.add(
          'liveport_subscription_bitrate_bps',
          'gauge',
          'bit/s sent to a subscriber',
          s.bitrateBps,
          labels,
        );
        m.add(
          'liveport_subscription_layer',
          'gauge',
          'simulcast layer sent to a subscriber (-1 paused)',
          s.layer,
          labels,
        );
        m.add(
          'liveport_subscription_loss_ratio',
          'gauge',
          "smoothed loss in the subscriber's receiver reports",
          s.lossRatio,
          labels,
        );
        m.add(
          'liveport_subscription_rtt_seconds',
          'gauge',
          'round trip to the subscriber',
          s.rttMs / 1000,
          labels,
        );
        m.add(
          'liveport_subscription_layer_switches_total',
          'counter',
          'layer switches for a subscriber',
          s.layerSwitches,
          labels,
        );
        m.add(
          'liveport_subscription_protection',
          'gauge',
          'loss repair sent ahead: copies per reference-frame packet (video), RED distance (audio)',
          s.protection,
          labels,
        );
        m.add(
          'liveport_subscription_copies_sent_total',
          'counter',
          'proactive packet copies sent to a subscriber',
          s.copiesSent,
          labels,
        );
      }
    }
  }
  return m.toString();
}

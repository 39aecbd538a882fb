// Every string the pages show comes from the dictionaries, in both languages.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CYCLE_EVENT_META,
  CYCLE_STATES,
  cycleStateLabel,
  DEADLINE_KINDS,
  EVENT_META,
  eventLabel,
  phaseLabel,
  PHASES,
} from '../../workflows/index';
import { clientMessages, localizeMessage } from '../../src/web/i18n';

const viewsDir = path.resolve(import.meta.dirname, '../../src/web/views');
const zh = clientMessages('zh-CN');
const en = clientMessages('en');

describe('i18n', () => {
  it('has every key the templates use, in Chinese and English', () => {
    const used = new Set<string>();
    for (const f of fs.readdirSync(viewsDir)) {
      for (const m of fs.readFileSync(path.join(viewsDir, f), 'utf8').matchAll(/\bt\('([A-Za-z_]+)'\s*[,)]/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const key of used) {
      expect(zh[key], `zh ${key}`).toBeTruthy();
      expect(en[key], `en ${key}`).toBeTruthy();
    }
  });

  it('names every phase, event, deadline and cycle state', () => {
    const keys = [
      ...PHASES.map((p) => `phase_${p}`),
      ...Object.keys({ ...EVENT_META, ...CYCLE_EVENT_META }).map((e) => `ev_${e}`),
      ...DEADLINE_KINDS.map((k) => `dl_${k}`),
      ...CYCLE_STATES.map((s) => `cycle_${s}`),
      ...['office', 'secretary', 'evaluator', 'leader'].map((r) => `role_${r}`),
      ...['open', 'inProgress', 'verified'].map((s) => `item_${s}`),
    ];
    for (const key of keys) {
      expect(zh[key], key).toBeTruthy();
      expect(en[key], key).toBeTruthy();
    }
  });

  it('takes the names of phases, cycle states and events from the machines', () => {
    for (const [locale, m] of [['zh-CN', zh], ['en', en]] as const) {
      for (const p of PHASES) expect(m[`phase_${p}`]).toBe(phaseLabel(p, locale));
      for (const s of CYCLE_STATES) expect(m[`cycle_${s}`]).toBe(cycleStateLabel(s, locale));
      for (const e of Object.keys({ ...EVENT_META, ...CYCLE_EVENT_META })) expect(m[`ev_${e}`]).toBe(eventLabel(e, locale));
    }
    expect(zh.phase_closed).toBe('已完成');
    expect(en.phase_awaitingReview).toBe('Awaiting live review');
    expect(zh.ev_ACKNOWLEDGE).toBe('确认收到通知');
  });

  it('keeps English free of Chinese characters', () => {
    const chinese = Object.entries(en).filter(([k, v]) => /[\u4e00-\u9fff]/.test(v) && k !== 'language');
    expect(chinese).toEqual([]);
  });

  it('shows the reader the half of an engine message in their language', () => {
    expect(localizeMessage('您无权查看该支部 (not your branch)', 'zh-CN')).toBe('您无权查看该支部');
    expect(localizeMessage('您无权查看该支部 (not your branch)', 'en')).toBe('not your branch');
    expect(localizeMessage('无括号的消息', 'en')).toBe('无括号的消息');
  });
});

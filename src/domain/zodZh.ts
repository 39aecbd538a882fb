// Validation messages in Chinese. zod's own messages are English ("Invalid input: expected object,
// received undefined"); people read these instead, wherever a schema has no message of its own.
// Importing this module sets zod's global error map once (src/web/api.ts and the engine import it).
import { z } from 'zod';

const TYPE_NAMES: Record<string, string> = {
  string: '文字',
  number: '数字',
  int: '整数',
  boolean: '是或否',
  object: '一组字段（对象）',
  array: '列表',
  date: '日期',
  bigint: '整数',
  null: '空值',
};

const FORMATS: Record<string, string> = {
  email: '邮箱格式不正确',
  datetime: '须为带时区的时间，如 2026-12-04T18:00:00+08:00',
  date: '须为日期，如 2026-12-31',
  time: '须为时间，如 18:00',
  url: '须为网址',
  uuid: '编号格式不正确',
  regex: '格式不正确',
};

type Issue = Parameters<NonNullable<NonNullable<Parameters<typeof z.config>[0]>['localeError']>>[0];

export function chineseMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return '必填';
      return `须为${TYPE_NAMES[issue.expected] ?? '正确的类型'}`;
    case 'invalid_value':
      if (issue.values.length === 1) return `须为 ${String(issue.values[0])}`;
      // A long list is a vocabulary of codes (event types…): people are told the value is not one of them.
      return issue.values.length > 5 ? '不是可用的选项' : `须为以下之一：${issue.values.map(String).join('、')}`;
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string') return n <= 1 ? '不能为空' : `至少 ${n} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `至少 ${n} 项`;
      return issue.inclusive ? `不能小于 ${n}` : `须大于 ${n}`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') return `不能超过 ${n} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `最多 ${n} 项`;
      if (issue.origin === 'file') return `文件不能超过 ${n} 字节`;
      return issue.inclusive ? `不能大于 ${n}` : `须小于 ${n}`;
    }
    case 'invalid_format':
      return FORMATS[issue.format] ?? '格式不正确';
    case 'not_multiple_of':
      return `须为 ${issue.divisor} 的倍数`;
    case 'unrecognized_keys':
      return `不认识的字段：${issue.keys.join('、')}`;
    case 'invalid_key':
      return '字段名不正确';
    case 'invalid_union':
      return '内容不正确';
    case 'invalid_element':
      return '含有不正确的值';
    default:
      return '内容不正确';
  }
}

z.config({ localeError: chineseMessage });

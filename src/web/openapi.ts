// The OpenAPI document, generated from the same route declarations and zod schemas that validate requests.
import { z } from 'zod';
import { GLOBAL_ACTIONS } from '../engine/index';
import { apiRoutes } from './api';

const toOpenApiPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export function openApiDocument(baseUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of apiRoutes) {
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? Object.entries((jsonSchema(r.query) as { properties?: Record<string, unknown> }).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })) : [];
    const body = r.body
      ? { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } }
      : r.multipart
        ? { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: Object.fromEntries(r.multipart.map((f) => [f, { type: 'string', format: 'binary' }])) } } } }
        : undefined;
    (paths[toOpenApiPath(r.path)] ??= {})[r.method] = {
      summary: r.summary,
      'x-access': r.requires ? GLOBAL_ACTIONS[r.requires].join('+') : r.access,
      ...(r.access === 'public' ? { security: [] } : {}),
      parameters: [...params, ...query, ...(r.path.endsWith('/events') && r.path.includes('/branches/') ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } }] : [])],
      ...(body ? { requestBody: body } : {}),
      responses: Object.fromEntries(
        Object.entries(r.responses).map(([code, description]) => [
          code,
          Number(code) >= 400 ? { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } : { description },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Shuping 述评 API', version: '1.0.0', description: 'Cookie session from POST /api/session; state-changing requests carry X-CSRF-Token.' },
    servers: [{ url: baseUrl }],
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'shuping_sid' } },
      schemas: {
        Error: {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} }, required: ['code', 'message'] } },
        },
      },
    },
    security: [{ session: [] }],
    paths,
  };
}

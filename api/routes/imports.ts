/**
 * POST /api/jurisdictions/{jcode}/imports: import one uploaded file (multipart/form-data, field `file`,
 * size-limited) into a jurisdiction as a background job. Fields: format, layer, crs, encoding, table,
 * replace, append, create (a name: create the jurisdiction {jcode} from the data's extent). Single-file
 * formats: GeoJSON, CSV, OSM XML (.osm, .osm.gz), OSM PBF, GeoPackage. Answers 202 with the job.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { WanggeError } from '../../spatial/errors.ts';
import { importFile } from '../../data/importers/importer.ts';
import { jurisdictionExists } from '../repos/jurisdictions.ts';
import { jcodeParam } from './query-params.ts';
import { jobLinks } from './jobs.ts';
import { checkText } from '../input-guard.ts';
import type { RouteContext } from './context.ts';

const UPLOAD_DIR = path.join(os.tmpdir(), 'wangge-uploads');
const FIELDS = ['format', 'layer', 'crs', 'encoding', 'table', 'replace', 'append', 'create'] as const;

/** Keep a safe extension (two for .osm.gz / .geojson.gz): format detection reads it. */
function safeExtension(original: string): string {
  const m = /(\.(?:osm|geojson|json|csv)\.gz|\.[a-z0-9]{1,8})$/i.exec(original);
  return m ? m[1].toLowerCase() : '';
}

function multerError(e: unknown): WanggeError {
  if (e instanceof WanggeError) return e;
  const code = (e as { code?: string })?.code;
  if (code === 'LIMIT_FILE_SIZE') return new WanggeError('too_large', 'the uploaded file is larger than the limit', { parameter: 'file' });
  if (typeof code === 'string' && code.startsWith('LIMIT_')) return new WanggeError('bad_request', `the upload breaks a limit (${code})`, { parameter: 'file' });
  return new WanggeError('bad_request', 'the body is not a readable multipart/form-data upload', { parameter: 'body' });
}

function flag(v: unknown, name: string): boolean {
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw new WanggeError('bad_request', `${name} must be true or false`, { parameter: name });
}

export function importsRouter(ctx: RouteContext): Router {
  const r = Router();
  mkdirSync(UPLOAD_DIR, { recursive: true });
  const upload = multer({
    storage: multer.diskStorage({
      destination: UPLOAD_DIR,
      filename: (_req, file, cb) => cb(null, `${randomUUID()}${safeExtension(file.originalname)}`),
    }),
    limits: { fileSize: ctx.uploadLimitBytes, files: 1, fields: FIELDS.length, fieldSize: 1_000, parts: FIELDS.length + 1 },
  }).single('file');
  const receive = (req: Request, res: Response) => new Promise<void>((resolve, reject) => {
    upload(req, res, (err: unknown) => (err ? reject(multerError(err)) : resolve()));
  });

  r.post('/api/jurisdictions/:jcode/imports', async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    if (!req.is('multipart/form-data')) throw new WanggeError('bad_request', 'send the file as multipart/form-data in the field "file"', { parameter: 'body' });
    await receive(req, res);
    const file = req.file;
    try {
      if (!file) throw new WanggeError('bad_request', 'no file in the field "file"', { parameter: 'file' });
      const f = (req.body ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(f)) if (!(FIELDS as readonly string[]).includes(k)) throw new WanggeError('bad_request', `unknown field ${JSON.stringify(k.slice(0, 40))}`, { parameter: k.slice(0, 40) });
      // the edge check (api/input-guard.ts) cannot see multipart fields: the same rule here
      for (const [k, v] of Object.entries(f)) if (typeof v === 'string') checkText(v, k);
      checkText(file.originalname, 'file');
      const text = (k: (typeof FIELDS)[number]) => (typeof f[k] === 'string' && f[k] !== '' ? (f[k] as string) : undefined);
      const create = text('create');
      if (!create && !(await jurisdictionExists(ctx.db, jcode))) {
        throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded (send create=<name> to create it)`, { parameter: 'jcode' });
      }
      const opts = {
        path: file.path, format: text('format'), layer: text('layer'), crs: text('crs'), encoding: text('encoding'), table: text('table'),
        replace: flag(f.replace, 'replace'), append: flag(f.append, 'append'), createJurisdiction: create, jcode,
      };
      const params = { file: path.basename(file.originalname).slice(0, 200), bytes: file.size, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => k !== 'path' && v !== undefined)) };
      const job = ctx.jobs.submit('import', jcode, params, async (progress) => {
        try {
          const result = await importFile(ctx.db, opts, progress);
          return { ...result, path: params.file };
        } finally {
          rmSync(file.path, { force: true });
        }
      }, () => ctx.layerVersions.invalidate());
      res.status(202).set('Location', `/api/jobs/${job.id}`).json({ ...job, links: jobLinks(job.id) });
    } catch (e) {
      if (file) rmSync(file.path, { force: true });
      throw e;
    }
  });
  return r;
}

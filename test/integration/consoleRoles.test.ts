import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { testEnv } from '../helpers/app.js';
import { exited } from '../helpers/processes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** A day a week ahead in Vietnam, as typed: the console runs on the real clock, and an empty calendar asks for a day. */
const soon = () => {
  const d = new Date(Date.now() + 7 * 86_400_000 + 7 * 3_600_000);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}`;
};

describe('console roles', () => {
  it('/vai chihuy, /vai canbo, /vai dan: link a team, register, file, see the card, claim it by number, answer a question', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/index.ts', '--console'], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv(), REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: `c${randomUUID().slice(0, 8)}`, TELEGRAM_BOT_TOKEN: '', ZALO_BOT_TOKEN: '' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const until = async (re: RegExp, from: number): Promise<RegExpExecArray> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const m = re.exec(out.slice(from));
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no ${re} in:\n${out.slice(from).slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 30));
      }
    };
    const send = async (line: string, expect: RegExp) => {
      const from = out.length;
      child.stdin!.write(`${line}\n`);
      return until(expect, from);
    };
    try {
      await send('/vai chihuy', /Bạn đang là chỉ huy/);
      const groupCode = (await send('/malienket doan-tn', /Tổ Đoàn Thanh niên: ([A-Z0-9]{6})/))[1]!;
      await send('/vai canbo', /Bạn đang là cán bộ/);
      await send(`/lienket ${groupCode}`, /Đã liên kết nhóm này với Tổ Đoàn Thanh niên/);
      await send('/vai chihuy', /chỉ huy/);
      const officerCode = (await send('/moicanbo doan-tn', /Tổ Đoàn Thanh niên: ([A-Z0-9]{6})/))[1]!;
      await send('/vai canbo', /cán bộ/);
      await send('1', /Chưa có thẻ nào để bấm/);
      await send(`/dangky ${officerCode}`, /Đã đăng ký Cán bộ thử là cán bộ của Tổ Đoàn Thanh niên/);
      await send('/vai chihuy', /chỉ huy/);
      await send('/doi', /doan-tn: Tổ Đoàn Thanh niên · đã liên kết nhóm/);
      await send('/vai dan', /Bạn đang là người dân/);
      const from = out.length;
      for (const line of ['/start', '1', '1', '2', '1', 'Nguyen Thi Hoa', '1941', '1', 'tan hoa', 'so 7 ap Binh Thanh', '0912 345 678', '1,3', soon(), '1']) {
        child.stdin!.write(`${line}\n`);
      }
      const code = (await send('1', /Mã yêu cầu của bạn: (TB-\w{4})/))[1]!;
      await until(new RegExp(`📋 ${code}[\\s\\S]*1\\. ✋ Nhận việc`), from);
      await until(new RegExp(`Yêu cầu ${code} đã được giao cho Tổ (Đoàn Thanh niên|Hội Phụ nữ)`), from);
      await send('/vai canbo', /cán bộ/);
      const press = out.length;
      await send('1', /Đã ghi nhận/);
      await until(/✋ Cán bộ thử đã nhận việc/, press);
      await until(new RegExp(`Cán bộ Cán bộ thử \\(Tổ Đoàn Thanh niên\\) đã nhận yêu cầu ${code}`), press);
      // A question to a person: the commander sees it and answers by code.
      await send('/vai dan', /người dân/);
      await send('cho toi gap can bo truc', /Xin gõ điều bạn muốn hỏi/);
      const asked = out.length;
      const hd = (await send('Bao gio co can bo den nha?', /mã (HD-\w{4})/))[1]!;
      await until(new RegExp(`Câu hỏi ${hd}`), asked);
      await send('/vai chihuy', /chỉ huy/);
      const answered = out.length;
      await send(`/traloi ${hd} Thứ Bảy này bác nhé`, /Đã gửi câu trả lời/);
      await until(/Cán bộ trực trả lời[\s\S]*Thứ Bảy này bác nhé/, answered);
      child.stdin!.end();
      expect(await exited(child, 20_000)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerUntilSummary, Conversation, fileHomeRequest, startHomeIntake, testApp, type TestApp, TestClock } from '../helpers/app.js';
import { MemoryChannel } from '../helpers/memoryChannel.js';

let app: TestApp;
beforeEach(async () => {
  app = await testApp();
});
afterEach(async () => {
  await app.shutdown();
});

describe('intake flow on the engine', () => {
  it('files a full home request from typed and pressed answers and stores every field', async () => {
    const c = new Conversation(app);
    const code = await fileHomeRequest(c);
    const r = await app.repos.requests.byCode(code);
    expect(r).toMatchObject({
      type: 'home',
      status: 'new',
      filedFor: 'other',
      personName: 'Nguyen Van An',
      birthYear: 1940,
      condition: 'bedridden',
      communeId: 'tan-hoa',
      address: '12 duong so 3, ap Binh Loi',
      phone: '0912345678',
      services: ['cccd_new', 'vneid_l2'],
      preferredDate: '2026-11-28',
      channel: 'memory',
      consentVersion: '2026-11',
    });
    expect(r?.consentAt).toBe(new TestClock().now());
    expect(c.text).toContain(code);
    const audit = await app.repos.audit.since(0);
    expect(audit.map((a) => a.action)).toContain('request_created');
  });

  it('files a ride request with pickup address and number of people', async () => {
    const c = new Conversation(app);
    await c.say('/start');
    await c.say('xe dua don');
    expect(c.text).toContain('Trước khi bắt đầu');
    await c.say('1');
    await c.say('cho chinh toi');
    await c.say('Trần Thị Bưởi');
    await c.say('1950');
    await c.say('ngoi xe lan');
    await c.say('Xã Long Thạnh');
    await c.say('Ấp Long Hưng');
    expect(c.text).toContain('Xe đón ở đâu');
    await c.press('Đón tại địa chỉ nhà');
    await c.say('3');
    await c.say('+84 987 654 321');
    await c.press('Đổi / cấp lại');
    await c.press('Xong');
    // No session in the calendar: the day is typed.
    await c.say('5/12');
    await c.say('Nhà có chó, gọi trước');
    expect(c.text).toContain('Đón tại: Ấp Long Hưng');
    expect(c.text).toContain('Số người đi: 3');
    const out = await c.say('1');
    const code = /TB-\w{4}/.exec(out)![0];
    expect(await app.repos.requests.byCode(code)).toMatchObject({
      type: 'ride',
      filedFor: 'self',
      pickupAddress: 'Ấp Long Hưng',
      people: 3,
      phone: '0987654321',
      services: ['cccd_reissue'],
      preferredDate: '2026-12-05',
      notes: 'Nhà có chó, gọi trước',
    });
  });

  it('says nothing is kept when consent is declined and stores nothing', async () => {
    const c = new Conversation(app);
    await c.say('/start');
    await c.press('Làm CCCD tại nhà');
    const out = await c.press('Không đồng ý');
    expect(out).toContain('không lưu thông tin gì');
    expect(out).toContain('Cần giúp việc gì');
    expect(await app.repos.requests.listByOwner({ channel: 'memory', userId: c.chatId })).toEqual([]);
  });

  it('stops when a relative has not asked the person for consent', async () => {
    const c = new Conversation(app);
    await c.say('/start');
    await c.press('Làm CCCD tại nhà');
    await c.press('Tôi đồng ý');
    await c.press('Cho người thân');
    const out = await c.press('Chưa hỏi');
    expect(out).toContain('Xin hỏi ý người đó');
  });

  it('answers bad input kindly and keeps the question open', async () => {
    const c = new Conversation(app);
    await startHomeIntake(c, false);
    expect(await c.say('123456')).toContain('Tên chỉ gồm chữ cái');
    expect(await c.say('   ')).toContain('Tin nhắn trống');
    expect(await c.say('A'.repeat(81))).toContain('Tên dài quá');
    expect(await c.say('x'.repeat(5000))).toContain('Tin nhắn dài quá');
    expect(await c.send({ unsupported: true })).toContain('chỉ đọc được chữ');
    await c.say('<b>Lê</b> Văn Tám');
    expect(c.text).toContain('Tên chỉ gồm chữ cái');
    await c.say('Lê Văn Tám');
    expect(await c.say('1899')).toContain('Năm sinh gồm 4 số, từ 1900 đến 2026');
    expect(await c.say('45')).toContain('Có phải bạn sinh năm 1945 không?');
    await c.say('1945');
    expect(await c.say('benh tim')).toContain('chưa hiểu');
    await c.press('Sống một mình');
    const unknown = await c.say('Hà Nội');
    expect(unknown).toContain('Chưa tìm thấy "Hà Nội". Chúng tôi phụ trách: Phường Cần Đước, Xã Đông Thành, Xã Long Thạnh, Xã Mỹ Lộc, Xã Phước Đông, Xã Tân Hòa.');
    const suggest = await c.say('long thnh');
    expect(suggest).toContain('Chưa tìm thấy "long thnh"');
    expect(suggest).toContain('1. Xã Long Thạnh');
    await c.say('1');
    expect(c.text).toContain('Địa chỉ nhà ở Xã Long Thạnh');
    await c.say('0');
    expect(c.text).toContain('Bạn ở xã/phường nào');
  });

  it('refuses a wrong phone number then accepts the right one; refuses no service chosen', async () => {
    const c = new Conversation(app);
    await startHomeIntake(c, false);
    await c.say('Nguyễn An');
    await c.say('1960');
    await c.press('Tuổi cao');
    await c.say('tân hoà');
    await c.say('Ấp Tân Lập');
    expect(await c.say('0212345678')).toContain('Số điện thoại chưa đúng');
    expect(c.replies[0]?.askContact).toBe(true);
    const saved = await c.say('09.1234.5678');
    expect(saved).toContain('Đã ghi số 0912345678');
    expect(c.replies[0]?.clearKeyboard).toBe(true);
    expect(await c.press('Xong')).toContain('Xin chọn ít nhất một việc');
    await c.press('Làm CCCD lần đầu');
    expect(c.text).toContain('✅ Làm CCCD lần đầu');
    await c.press('Xong');
    expect(c.text).toContain('vào ngày nào');
    expect(await c.say('30/2')).toContain('Chưa hiểu ngày');
    expect(await c.say('1/1/2020')).toContain('đã qua');
  });

  it('edits a field from the summary and returns to the summary; a new commune asks for a new address', async () => {
    const c = new Conversation(app);
    await answerUntilSummary(c);
    await c.press('Sửa');
    await c.press('Điện thoại');
    await c.say('0387654321');
    expect(c.text).toContain('Điện thoại: 0387654321');
    expect(c.text).toContain('Xin kiểm tra lại');
    await c.press('Sửa');
    await c.press('Xã/phường');
    await c.say('phuoc dong');
    expect(c.text).toContain('Địa chỉ nhà ở Xã Phước Đông');
    await c.say('Ấp Chợ');
    expect(c.text).toContain('Địa chỉ: Ấp Chợ, Xã Phước Đông');
    const out = await c.press('Đúng, gửi đi');
    const code = /TB-\w{4}/.exec(out)![0];
    expect(await app.repos.requests.byCode(code)).toMatchObject({ phone: '0387654321', communeId: 'phuoc-dong', address: 'Ấp Chợ' });
  });

  it('back walks one step back and cancel drops the draft at any step', async () => {
    const c = new Conversation(app);
    await answerUntilSummary(c);
    await c.say('quay lai');
    expect(c.text).toContain('Có gì cần dặn thêm');
    await c.send({ option: { id: 'nav:back', nonce: c.lastNonce } });
    expect(c.text).toContain('vào ngày nào');
    const out = await c.say('huy');
    expect(out).toContain('Đã hủy. Thông tin vừa nhập không được lưu');
    expect(out).toContain('Cần giúp việc gì');
    expect(await app.repos.requests.listByOwner({ channel: 'memory', userId: c.chatId })).toEqual([]);
  });

  it('a summary shows HTML-like and emoji input escaped, as typed', async () => {
    const c = new Conversation(app);
    await answerUntilSummary(c, { address: 'Nhà <b>số</b> 5 & 🏠 "cổng xanh"' });
    const html = app.translator.renderAll(c.replies[c.replies.length - 1]!.text);
    expect(html).toContain('Nhà &lt;b&gt;số&lt;/b&gt; 5 &amp; 🏠 &quot;cổng xanh&quot;');
    expect(c.text).toContain('Nhà <b>số</b> 5 & 🏠 "cổng xanh"');
  });

  it('refuses a forged or old button press and keeps the conversation where it was', async () => {
    const c = new Conversation(app);
    await c.say('/start');
    await c.press('Làm CCCD tại nhà');
    const oldNonce = c.lastNonce;
    await c.press('Tôi đồng ý');
    expect(await c.send({ option: { id: 'consent:yes', nonce: oldNonce } })).toContain('Nút này đã cũ');
    expect(await c.send({ option: { id: 'sum:confirm', nonce: c.lastNonce } })).toContain('Nút này đã cũ');
    expect(c.text).toContain('Yêu cầu này là cho ai');
  });

  it('a submit repeated with the same id (a retry after a crash) stores, audits and hands on one request', async () => {
    const fields = {
      type: 'home' as const,
      filedFor: 'other' as const,
      consentAt: 1,
      personName: 'Lê Thị Hoa',
      birthYear: 1936,
      condition: 'wheelchair' as const,
      communeId: 'tan-hoa',
      address: 'Ấp 2',
      phone: '0912345678',
      services: ['cccd_new' as const],
      preferredDate: '2026-11-28',
    };
    const owner = { channel: 'memory', userId: 'u-9' };
    const chat = { channel: 'memory', chatId: 'u-9', kind: 'private' as const };
    const first = await app.services.requests.submit('f3d1c2b4-0000-4000-8000-000000000001', fields, owner, chat);
    const again = await app.services.requests.submit('f3d1c2b4-0000-4000-8000-000000000001', { ...fields, personName: 'khác' }, owner, chat);
    expect(again).toEqual(first);
    // Handed on to the assignment queue once (no Redis here: the job waits in the outbox).
    const handedOn = (await app.repos.outbox.oldest(100)).filter((j) => j.queue === 'assign').map((j) => (j.data as { requestId: string }).requestId);
    expect(handedOn).toEqual([first.id]);
    const created = (await app.repos.audit.since(0)).filter((a) => a.action === 'request_created');
    expect(created.map((a) => a.subject)).toEqual([first.id]);
  });

  it('handles a duplicate delivery once', async () => {
    const c = new Conversation(app);
    await c.send({ text: '/start', deliveryId: 'u1' });
    await c.send({ text: '1', deliveryId: 'u2' });
    expect(c.text).toContain('Trước khi bắt đầu');
    expect(await c.send({ text: '1', deliveryId: 'u2' })).toBe('');
    expect(c.replies).toEqual([]);
    await c.send({ text: '1', deliveryId: 'u3' });
    expect(c.text).toContain('Yêu cầu này là cho ai');
  });

  it('handles two messages of one chat in order even when sent at once', async () => {
    const c = new Conversation(app);
    await c.say('/start');
    const before = app.memory.sent.length;
    await Promise.all([app.memory.inbound({ chatId: c.chatId, text: '1' }), app.memory.inbound({ chatId: c.chatId, text: '1' })]);
    const [a, b] = app.memory.sent.slice(before).map((s) => app.translator.renderAll(s.reply.text));
    expect(a).toContain('Trước khi bắt đầu');
    expect(b).toContain('Yêu cầu này là cho ai');
  });

  it('a restart mid-flow resumes at the same question with the same answers', async () => {
    const env = app.env;
    await app.shutdown();
    const first = await testApp(env, new TestClock());
    const c1 = new Conversation(first, 'same-chat');
    await startHomeIntake(c1, false);
    await c1.say('Phạm Văn Đồng');
    await first.shutdown();
    app = await testApp(env, new TestClock(), { memory: new MemoryChannel() });
    const c2 = new Conversation(app, 'same-chat');
    expect(await c2.say('1935')).toContain('khó tự đến nơi làm CCCD');
    await c2.say('1');
    expect(c2.text).toContain('xã/phường nào');
  });

  it('status, code lookup, cancel of a filed request and delete-my-data', async () => {
    const c = new Conversation(app);
    const code = await fileHomeRequest(c);
    const status = await c.say('/trangthai');
    expect(status).toContain(code);
    expect(status).toContain('Đã nhận, đang chờ phân công');
    expect(await c.say(code.toLowerCase().replace('-', ''))).toContain(code);
    const other = new Conversation(app);
    expect(await other.say(code)).toContain(`Không tìm thấy yêu cầu mã ${code}`);
    expect(await c.say('/huy')).toContain(`Hủy yêu cầu ${code}`);
    expect(await c.press('Hủy yêu cầu')).toContain(`Đã hủy yêu cầu ${code}`);
    expect((await app.repos.requests.byCode(code))?.status).toBe('cancelled');
    expect(await c.say('/huy')).toContain('Không có yêu cầu nào đang chờ');
    await fileHomeRequest(c, 'Lê Thị Hai');
    await c.say('/xoadulieu');
    const erased = await c.press('Xóa hết');
    expect(erased).toContain('Đã xóa thông tin của bạn (2 yêu cầu)');
    expect(await c.say('/trangthai')).toContain('chưa gửi yêu cầu nào');
    const rows = await app.repos.requests.byCode(code);
    expect(rows).toMatchObject({ personName: '', phone: '', address: '' });
    expect((await app.repos.audit.since(0)).map((a) => a.action)).toContain('data_erased');
  });

  it('an emergency mid-intake says "call 114" first, then the same question; the draft is kept', async () => {
    const c = new Conversation(app);
    await startHomeIntake(c, false);
    await c.say('Lê Thị Bảy');
    const out = await c.say('chay nha roi cuu voi');
    expect(out.startsWith('🚨 GỌI NGAY 114')).toBe(true);
    expect(out).toContain('Ra khỏi nhà ngay');
    expect(out).toContain('sinh năm nào');
    await c.say('1950');
    expect(c.text).toContain('khó tự đến nơi làm CCCD');
    const state = JSON.parse((await app.repos.states.get(`memory:${c.chatId}`))!);
    expect(state.draft).toMatchObject({ personName: 'Lê Thị Bảy', birthYear: 1950 });
    // Also from the menu, with diacritics and shouting.
    const other = new Conversation(app);
    expect(await other.say('NHÀ TÔI BỊ CHÁY RỒI CỨU VỚIIII')).toContain('GỌI NGAY 114');
  });

  it('/trangthai mid-flow shows the requests and then the same question again', async () => {
    const c = new Conversation(app);
    await startHomeIntake(c, false);
    const out = await c.say('/trangthai');
    expect(out).toContain('chưa gửi yêu cầu nào');
    expect(out).toContain('Họ và tên');
    await c.say('Ngô Thị Nở');
    expect(c.text).toContain('sinh năm nào');
  });
});

import { describe, expectTypeOf, it } from 'vitest';
import { accountNoticeMessages } from './account-notice.js';
import type {
  AccountNoticeContext,
  CodeMessageContext,
  EmailMessage,
  NoticeMessageContext,
  SmsMessage,
} from './ports/channel.js';

// Type tests: vitest type-checks this file, it never runs.

describe('account notices in the channel messages', () => {
  it('are one more context an SMS or an email may carry', () => {
    expectTypeOf<SmsMessage['context']>().toEqualTypeOf<
      CodeMessageContext | NoticeMessageContext | AccountNoticeContext
    >();
    expectTypeOf<EmailMessage['context']>().toEqualTypeOf<CodeMessageContext | AccountNoticeContext>();
  });

  it("carry no code, so a channel reads one only after 'code' in context", () => {
    // @ts-expect-error an account notice has no code
    expectTypeOf<AccountNoticeContext>().toHaveProperty('code');
    const read = (context: EmailMessage['context']) => ('code' in context ? context.code : null);
    expectTypeOf(read).returns.toEqualTypeOf<string | null>();
  });

  it('come ready from the builder, one message per route or null', () => {
    expectTypeOf(accountNoticeMessages).returns.toEqualTypeOf<{
      sms: SmsMessage | null;
      email: EmailMessage | null;
    }>();
  });
});

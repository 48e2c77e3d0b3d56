import { InterruptedError } from '../errors.js';

/** Asks a yes/no question on the terminal; false unless the answer is yes. Ctrl-C at the prompt changes nothing. */
export async function confirmOnTerminal(message: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  try {
    return await confirm({ message, default: false });
  } catch (error) {
    if ((error as Error | undefined)?.name === 'ExitPromptError') throw new InterruptedError('interrupted at the confirmation; nothing was changed');
    throw error;
  }
}

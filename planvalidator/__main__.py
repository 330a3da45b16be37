import gc

gc.disable()                    # while click and planvalidator.cli load: main() turns it on again

import planvalidator.cli  # noqa: E402

planvalidator.cli.PAUSED_COLLECTOR = True
planvalidator.cli.run()

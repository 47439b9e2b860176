package io.patchcast.job;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.patch.PatchPoint;
import io.patchcast.job.source.DeadLetterRecord;
import org.apache.flink.util.OutputTag;

/** Side outputs shared by the job's operators. */
public final class Tags {
    private Tags() {}

    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS =
            new OutputTag<>("dead-letters", org.apache.flink.api.common.typeinfo.TypeInformation.of(DeadLetterRecord.class));

    public static final OutputTag<PatchPoint> PATCH_POINTS =
            new OutputTag<>("patch-points", org.apache.flink.api.common.typeinfo.TypeInformation.of(PatchPoint.class));

    /** Requests of a multichannel model's channels, on their way to {@link io.patchcast.job.route.GroupAssembler}. */
    public static final OutputTag<io.patchcast.job.route.RoutedRequest> GROUP_MEMBERS =
            new OutputTag<>("group-members", org.apache.flink.api.common.typeinfo.TypeInformation.of(
                    io.patchcast.job.route.RoutedRequest.class));

    public static final OutputTag<AlertEvent> ALERTS =
            new OutputTag<>("alerts", org.apache.flink.api.common.typeinfo.TypeInformation.of(AlertEvent.class));
}
